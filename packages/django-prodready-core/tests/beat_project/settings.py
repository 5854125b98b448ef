"""Core's test settings, with the shared Redis cache and broker the beat test passes in."""

import os

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.beat_project"]  # noqa: F405
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["BEAT_TEST_REDIS_URL"],
        "KEY_PREFIX": os.environ["BEAT_TEST_PREFIX"],
    }
}
CELERY_BROKER_URL = os.environ["BEAT_TEST_REDIS_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["BEAT_TEST_PREFIX"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
