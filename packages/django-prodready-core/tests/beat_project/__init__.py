"""A tiny project whose Celery beat test_schedule.py runs for real, against Redis."""
