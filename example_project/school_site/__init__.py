"""The example tutoring school's Django project."""

# Celery's Django recipe: the app is loaded with Django, so @shared_task binds to it.
from school_site.celery import app as celery_app

__all__ = ["celery_app"]
