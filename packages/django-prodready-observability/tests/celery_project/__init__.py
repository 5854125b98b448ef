"""A tiny project whose Celery worker (with beat) test_celery_insight.py runs for real."""
