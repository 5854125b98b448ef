"""Counters in Redis: every check is one atomic Lua script, so at most one round trip.

Why a script rather than the cache API: django-ratelimit counts with
``cache.add()`` then ``cache.incr()``, two round trips per check, and a plain
``INCR`` followed by ``EXPIRE`` can leave a key without expiry if the process dies
between them. A script runs INCRBY and the first EXPIRE (and, past the limit, the
shared metric) as one atomic step on the server: N concurrent requests against a
limit of L get exactly L counts at or below L, and each check costs at most one EVALSHA.
(``EXPIRE ... NX`` in a MULTI pipeline would do too, but needs Redis 7.)

A rule far from its limit reserves a lease of several counts in the same step
(:mod:`~prodready_security.ratelimit.leases`): the script caps it so the counter never
passes the limit, and the process hands those counts out without a round trip.

Scripts are sent by SHA; a server that has not seen one yet (restarted, flushed)
gets the whole script once with EVAL, still one round trip. All keys of one call
must live on one server: use a single Redis (or Sentinel), not Redis Cluster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from redis.exceptions import NoScriptError, RedisError

from prodready_security.ratelimit.leases import SHARE, LeaseBook
from prodready_security.ratelimit.types import (
    METRICS_NAME,
    LoginDelay,
    LoginFailure,
    LoginKeys,
    SlowKeys,
    StoreUnavailable,
)

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from redis import Redis

# KEYS: counter, metrics. ARGV: window left (s), limit, metric field, longest lease,
# share of the headroom a lease may take. Returns {count, counts taken}: the request
# has count - taken + 1, the lease the rest. At or past the limit one is taken, so the
# count passes the limit once per refused request and the metric counts each.
HIT = """
local limit = tonumber(ARGV[2])
local taken = 1
local before = tonumber(redis.call('GET', KEYS[1]) or 0)
if before < limit then
  local share = math.floor((limit - before) / tonumber(ARGV[5]))
  taken = math.max(1, math.min(tonumber(ARGV[4]), share))
end
local count = redis.call('INCRBY', KEYS[1], taken)
if count == taken then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if count > limit then redis.call('HINCRBY', KEYS[2], ARGV[3], 1) end
return {count, taken}
"""

# KEYS: failures, lock, level, metrics. ARGV: limit, window (s), first lockout (ms),
# longest lockout (ms), metric field. Returns {failures, locked ms, started, level}.
LOGIN_FAILED = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return {0, locked, 0, tonumber(redis.call('GET', KEYS[2]))} end
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if failures < tonumber(ARGV[1]) then return {failures, 0, 0, 0} end
local level = redis.call('INCR', KEYS[3])
local lock_ms = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ (level - 1), tonumber(ARGV[4])))
redis.call('SET', KEYS[2], level, 'PX', lock_ms)
redis.call('PEXPIRE', KEYS[3], lock_ms + tonumber(ARGV[4]))
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
return {failures, lock_ms, 1, level}
"""

# KEYS: failures, wait, metrics. ARGV: limit, window (s), first wait (ms), longest wait
# (ms), metric field. Returns {failures, wait ms}.
LOGIN_SLOWED = """
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local over = failures - tonumber(ARGV[1])
if over < 0 then return {failures, 0} end
local wait_ms = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ over, tonumber(ARGV[4])))
redis.call('SET', KEYS[2], 1, 'PX', wait_ms)
if over == 0 then redis.call('HINCRBY', KEYS[3], ARGV[5], 1) end
return {failures, wait_ms}
"""

_SHA = {
    script: hashlib.sha1(script.encode()).hexdigest()
    for script in (HIT, LOGIN_FAILED, LOGIN_SLOWED)
}
# Redis errors, and socket errors raised before redis-py wraps them.
OUTAGES = (RedisError, OSError)


class RedisStore:
    def __init__(
        self, cache: BaseCache, client: Redis, lease_max: int = 1, book: LeaseBook | None = None
    ) -> None:
        self.cache = cache
        self.client = client
        self.lease_max = lease_max  # 1: every request is counted in Redis
        self.book = book or LeaseBook()
        self._own: Redis | None = None  # scripts' connection, made on first use

    def hit(self, name: str, ttl: int, limit: int, metric: str) -> int:
        key = self._key(name)
        if self.lease_max > 1:
            leased = self.book.spend(key)
            if leased is not None:
                return leased
        args = [ttl, limit, metric, self.lease_max, SHARE]
        count, taken = (int(n) for n in self._run(HIT, [key, self._key(METRICS_NAME)], args))
        first = count - taken + 1
        self.book.keep(key, range(first + 1, count + 1), ttl)
        return first

    def login_failed(
        self, keys: LoginKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginFailure:
        names = [keys.failures, keys.lock, keys.level, METRICS_NAME]
        args = [limit, window, max(1, round(base * 1000)), max(1, round(maximum * 1000)), metric]
        failures, locked_ms, started, level = self._run(
            LOGIN_FAILED, [self._key(name) for name in names], args
        )
        return LoginFailure(int(failures), int(locked_ms) / 1000, bool(started), int(level))

    def login_slowed(
        self, keys: SlowKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginDelay:
        names = [keys.failures, keys.wait, METRICS_NAME]
        args = [limit, window, max(1, round(base * 1000)), max(1, round(maximum * 1000)), metric]
        failures, wait_ms = self._run(LOGIN_SLOWED, [self._key(name) for name in names], args)
        return LoginDelay(int(failures), int(wait_ms) / 1000, int(failures) == limit)

    def locked_for(self, locks: Sequence[str]) -> float:
        try:
            pipeline = self.client.pipeline(transaction=False)
            for name in locks:
                pipeline.pttl(self._key(name))
            remaining = pipeline.execute()
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc
        return max([int(ms) for ms in remaining if int(ms) > 0], default=0) / 1000

    def clear(self, names: Sequence[str]) -> None:
        try:
            self.client.delete(*(self._key(name) for name in names))
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc

    def metrics(self) -> dict[str, int]:
        try:
            raw = self.client.hgetall(self._key(METRICS_NAME))
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc
        return {_text(field): int(value) for field, value in raw.items()}

    def note(self, register: str, field: str, value: str, ttl: int) -> None:
        try:
            pipeline = self.client.pipeline(transaction=True)
            pipeline.hset(self._key(register), field, value)
            pipeline.expire(self._key(register), ttl)
            pipeline.execute()
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc

    def notes(self, register: str) -> dict[str, str]:
        try:
            raw = self.client.hgetall(self._key(register))
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc
        return {_text(field): _text(value) for field, value in raw.items()}

    def unnote(self, register: str, fields: Sequence[str]) -> None:
        if not fields:
            return
        try:
            self.client.hdel(self._key(register), *fields)
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _key(self, name: str) -> str:
        return self.cache.make_key(name)

    def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        try:
            if self._own is None:
                self._own = own_connection(self.client)
            try:
                return self._own.evalsha(_SHA[script], len(keys), *keys, *args)
            except NoScriptError:
                return self._own.eval(script, len(keys), *keys, *args)
        except OUTAGES as exc:
            raise StoreUnavailable(str(exc)) from exc


def own_connection(client: Redis) -> Redis:
    """A client on ``client``'s pool that keeps one connection, for the checks.

    A pooled client takes a connection from the pool for every command and first
    polls it for stray data: three more system calls around each round trip, which
    cost about as much as the round trip itself where system calls are slow. A
    store belongs to one thread, so a connection of its own is safe; the pool gets
    it back when the store is dropped, and redis-py reconnects it after an error.

    The connection is behind the server's circuit breaker (:mod:`prodready.breaker`)
    whatever pool the cache was configured with: after a failure, checks fail at once
    for ``PRODREADY_BREAKER_SECONDS`` and each rule's fail-open or fail-closed policy
    applies without waiting for another timeout. A cache whose pool is already
    ``prodready.redis_breaker.BreakerConnectionPool`` shares its pool, and its breaker.
    """
    from redis import ConnectionPool, Redis

    from prodready.redis_breaker import BreakerConnectionMixin, with_breaker

    pool = client.connection_pool
    if not issubclass(pool.connection_class, BreakerConnectionMixin):
        pool = ConnectionPool(
            connection_class=with_breaker(pool.connection_class), **pool.connection_kwargs
        )
    return Redis(connection_pool=pool, single_connection_client=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
