"""The production readiness report behind ``manage.py prodready check``."""
