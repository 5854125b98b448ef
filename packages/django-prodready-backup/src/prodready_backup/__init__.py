"""django-prodready-backup: verified, encrypted backups run as Celery tasks."""

__version__ = "0.1.0.dev0"
