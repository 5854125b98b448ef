"""Does hiredis (``redis[hiredis]``) make the stack's Redis calls per request cheaper?

redis-py parses replies in Python unless the ``hiredis`` package is installed. A signed-in
request of the production stack makes, at most, the rate limiter's counting script
(``EVALSHA``, a short list back) and cache reads (the session, the verified 2FA device:
``GET`` of a few hundred pickled bytes). This times those calls, client CPU only
(``time.process_time``), with redis-py's own parser and with hiredis's, on one
redis-server of its own, in alternating rounds; the ratio is hiredis's CPU over the
Python parser's (below 1.0: hiredis is cheaper). No target: the figure decides whether
the extra pays. Skips without redis-server, redis-py or hiredis (not in the ``bench``
group, so that the other benchmarks keep redis-py's default parser: install it into
``.nox/bench`` to run this one).

    python benchmarks/redis_hiredis_parser.py [--calls 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

from harness import free_port, stop, wait_for_port

SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""
SESSION = b"\x80\x05" + b"x" * 400  # about a pickled session's size
DEVICE = b"\x80\x05" + b"d" * 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000, help="simulated requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per parser")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        print("skipped: redis-server is not installed")
        return 0
    for module in ("redis", "hiredis"):
        if importlib.util.find_spec(module) is None:
            print(f"skipped: {module} is not installed (pip install redis hiredis)")
            return 0
    import redis
    from redis.connection import _HiredisParser, _RESP2Parser

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, "redis-server")
        clients = {
            name: redis.Redis(
                connection_pool=redis.ConnectionPool(port=port, parser_class=parser_class)
            )
            for name, parser_class in (("python", _RESP2Parser), ("hiredis", _HiredisParser))
        }
        seconds: dict[str, list[float]] = {name: [] for name in clients}
        for client in clients.values():
            client.set("session", SESSION)
            client.set("device", DEVICE)
            one_request(client, client.script_load(SCRIPT))  # connects
        for _ in range(args.rounds):
            for name, client in clients.items():
                sha = client.script_load(SCRIPT)
                started = time.process_time()
                for _ in range(args.calls):
                    one_request(client, sha)
                seconds[name].append((time.process_time() - started) / args.calls)
    finally:
        stop(server)
    ratios = [h / p for h, p in zip(seconds["hiredis"], seconds["python"], strict=True)]
    print(f"Redis calls of one signed-in request, client CPU, {args.rounds} rounds")
    for name, values in seconds.items():
        print(f"  {name:8} {statistics.median(values) * 1e6:6.1f} µs/request (median)")
    rounds = " ".join(f"{ratio:.2f}" for ratio in ratios)
    print(f"  hiredis vs python parser: {statistics.median(ratios):.2f}x CPU (rounds: {rounds})")
    return 0


def one_request(client: Any, sha: str) -> None:
    client.evalsha(sha, 1, "ratelimit:bench", 60_000)
    client.get("session")
    client.get("device")


if __name__ == "__main__":
    sys.exit(main())
