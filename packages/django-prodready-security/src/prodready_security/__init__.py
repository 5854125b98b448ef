"""django-prodready-security: rate limits, two-factor authentication and an audit log."""

__version__ = "0.1.0.dev0"
