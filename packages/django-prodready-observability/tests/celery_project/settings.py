"""This package's test settings, with the Redis cache and broker the test passes in."""

import os

from tests.settings import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["INSIGHT_TEST_REDIS_URL"],
        "KEY_PREFIX": os.environ["INSIGHT_TEST_PREFIX"],
    }
}
CELERY_BROKER_URL = os.environ["INSIGHT_TEST_REDIS_URL"]
# The test's own queue and control exchange: no other suite's worker answers or takes tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ["INSIGHT_TEST_PREFIX"]
CELERY_CONTROL_EXCHANGE = os.environ["INSIGHT_TEST_PREFIX"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
