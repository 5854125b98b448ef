"""``prodready.testing``'s ``redis_round_trips`` fixture counts what code waits for Redis."""

import pytest
import redis

from prodready._ci import service_address
from prodready.testing import RedisRoundTrips

pytestmark = pytest.mark.requires_redis


@pytest.fixture
def client() -> redis.Redis:
    host, port = service_address("requires_redis")
    return redis.Redis(host=host, port=port, socket_timeout=5)


def test_each_command_is_a_round_trip(
    client: redis.Redis, redis_round_trips: RedisRoundTrips
) -> None:
    client.ping()  # connect (redis-py sends CLIENT SETINFO then), outside what is counted
    redis_round_trips.count = 0
    client.ping()
    client.get("prodready-tests:round-trips:absent")
    assert redis_round_trips.count == 2


def test_a_pipeline_is_one_round_trip(
    client: redis.Redis, redis_round_trips: RedisRoundTrips
) -> None:
    client.ping()  # connect, outside what is counted
    redis_round_trips.count = 0
    pipeline = client.pipeline(transaction=False)
    for key in ("a", "b", "c"):
        pipeline.get(f"prodready-tests:round-trips:{key}")
    pipeline.execute()
    assert redis_round_trips.count == 1
