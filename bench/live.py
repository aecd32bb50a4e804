"""1,000 websocket clients on the Redis channel layer: commit-to-receipt latency.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). Starts --servers daphne processes
(default 2, one per core), spreads --clients signed-in sockets over them, then commits
--reservations reservations one by one through the service. Every client timestamps the
`listing.changed` event; latency = receipt - commit. Reports p50/p99/max over all
deliveries and the servers' CPU time per delivered message. Goal: p99 <= 150 ms.
"""

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import threading
import time

import uvloop


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    from ._server import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    import django

    django.setup()


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _clients(urls, cookie, count, events, ready):
    import websockets

    sockets = []
    for n in range(count):
        base = urls[n % len(urls)]
        socket = await websockets.connect(
            base.replace("http", "ws") + "/ws/live/",
            origin=base,
            additional_headers={"Cookie": cookie},
            open_timeout=30,
            max_queue=None,
            ping_interval=None,
        )
        sockets.append(socket)

    async def listen(socket):
        async for message in socket:
            received = time.time()
            payload = json.loads(message)
            if payload["event"] in ("listing.changed", "listing.removed"):
                events.append((payload["data"]["quantity_available"], received))

    tasks = [asyncio.create_task(listen(s)) for s in sockets]
    ready.set()
    return sockets, tasks


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--reservations", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between commits")
    parser.add_argument("--per-event", action="store_true", help="print each event's spread")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from reservations import services

    from ._server import asgi_server
    from .catalogue import _session_cookie
    from .reservations import _listing, _people

    if not (settings.USES_POSTGRES and settings.REDIS_URL):
        print(
            "The live benchmark needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.",
            file=sys.stderr,
        )
        return 2
    call_command("migrate", verbosity=0)
    cookie = _session_cookie()
    owner, users = _people(2)
    listing = _listing(owner, 999)
    commits: dict[int, float] = {}
    events: list = []
    with asgi_server(processes=args.servers) as urls:
        import subprocess  # noqa: F401  (pids below come from the running servers)

        pids = _server_pids(urls)
        # The clients stand in for 1,000 browsers on other machines: keep them light.
        loop = uvloop.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        future = asyncio.run_coroutine_threadsafe(
            _clients(urls, cookie, args.clients, events, ready), loop
        )
        sockets, _tasks = future.result(timeout=300)
        time.sleep(2)
        # The client's own full garbage collections (a thousand sockets' objects) would
        # show up as server latency: what exists now is kept out of them.
        gc.freeze()
        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
        client_before = _cpu_seconds(os.getpid())
        for _ in range(args.reservations):
            with transaction.atomic():
                reservation = services.reservation_create(
                    actor=users[0],
                    listing_id=listing.pk,
                    quantity=1,
                    contact_name="B",
                    contact_phone="1",
                )
                remaining = 999 - len(commits) - 1
                transaction.on_commit(lambda r=remaining: commits.__setitem__(r, time.time()))
            assert reservation.pk
            time.sleep(args.interval)
        time.sleep(3)
        cpu_after = sum(_cpu_seconds(pid) for pid in pids)
        client_after = _cpu_seconds(os.getpid())
        asyncio.run_coroutine_threadsafe(_close(sockets), loop).result(timeout=60)
    latencies = [
        (received - commits[quantity]) * 1000
        for quantity, received in events
        if quantity in commits
    ]
    expected = args.clients * args.reservations
    if args.per_event:
        _print_per_event(events, commits)
    latencies.sort()
    result = {
        "clients": args.clients,
        "servers": args.servers,
        "reservations": args.reservations,
        "delivered": len(latencies),
        "expected": expected,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "server_cpu_ms_per_message": round(
            (cpu_after - cpu_before) * 1000 / max(len(latencies), 1), 3
        ),
        "client_cpu_ms_per_message": round(
            (client_after - client_before) * 1000 / max(len(latencies), 1), 3
        ),
        "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<28} {value}")
    ok = (
        result["delivered"] == expected and result["p99_ms"] is not None and result["p99_ms"] <= 150
    )
    return 0 if ok else 1


def _print_per_event(events, commits) -> None:
    """One line per reservation: a stall shows as one event whose fastest delivery is slow."""
    by_event: dict[int, list[float]] = {}
    for quantity, received in events:
        if quantity in commits:
            by_event.setdefault(quantity, []).append((received - commits[quantity]) * 1000)
    for number, quantity in enumerate(sorted(by_event, reverse=True), 1):
        ms = sorted(by_event[quantity])
        print(
            f"event {number:>3}: {len(ms)} deliveries, first {ms[0]:.0f} ms, "
            f"median {ms[len(ms) // 2]:.0f} ms, last {ms[-1]:.0f} ms"
        )


async def _close(sockets):
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


def _server_pids(urls) -> list[int]:
    """The daphne processes listening on these ports (found through /proc)."""
    import subprocess

    pids = []
    for url in urls:
        port = url.rsplit(":", 1)[1]
        out = subprocess.run(
            ["ss", "-ltnp", f"sport = :{port}"], capture_output=True, text=True
        ).stdout
        pids += [int(p) for p in __import__("re").findall(r"pid=(\d+)", out)]
    return sorted(set(pids))
