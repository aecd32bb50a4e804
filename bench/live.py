"""Live updates: 1,000 websockets of 1,000 signed-in people, commit-to-receipt latency.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). Starts --servers processes of the
production server command (kierratys/server.py), opens --clients sockets, each of a
different person (colleagues in 33 units of one organisation), spread over them, from
--client-processes processes of light clients (bench/_live_clients.py), then commits
--reservations reservations one by one through the service. Every client timestamps each
`listing.changed`; latency = receipt - commit. Reports p50/p99/max over all deliveries and
the servers' and clients' CPU time per delivered message. Goals (issue 22): p99 <= 100 ms
at 1,000 sockets of 1,000 people; p99 <= 250 ms at 5,000 over several server processes
(`--clients 5000 --servers 4 --client-processes 2`).
"""

import argparse
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time

from . import _summary


def _goal_ms(clients: int) -> int:
    return 100 if clients <= 1000 else 250


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "false")
    from ._server import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    import django

    django.setup()


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _people_and_cookies(clients: int):
    """The reserving colleague, the listing's owner and one signed-in cookie per client,
    each of a different person."""
    from kierratys.accounts.models import Unit

    from . import _people
    from .reservations import _people as bench_staff

    owner, staff = bench_staff(32)  # the reservations bench's organisation and 33 units
    units = list(Unit.objects.filter(department_id=owner.unit.department_id).order_by("pk"))
    people = _people.colleagues(owner, count=clients, email_prefix="live", units=units)
    return owner, staff[0], _people.session_cookies(people)


def _start_clients(urls, cookies, processes: int, origin: str):
    """Client processes (spawned: no Django in them), socket n on server n % len(urls)."""
    from . import _live_clients

    context = multiprocessing.get_context("spawn")
    targets = [(urls[n % len(urls)], cookie) for n, cookie in enumerate(cookies)]
    clients = []
    for i in range(processes):
        parent, child = context.Pipe()
        process = context.Process(
            target=_live_clients.run, args=(child, targets[i::processes], origin), daemon=True
        )
        process.start()
        clients.append((process, parent))
    connected = 0
    for _process, parent in clients:
        if not parent.poll(600):
            raise SystemExit("the websocket clients did not connect within 10 minutes")
        kind, detail = parent.recv()
        if kind == "error":
            raise SystemExit(f"a websocket client failed: {detail}")
        connected += detail
    return clients, connected


def _stop_clients(clients):
    events, closed_early = [], []
    for _process, parent in clients:
        parent.send("stop")
    for process, parent in clients:
        _kind, got, closed, _cpu = parent.recv()
        events += got
        closed_early += closed
        process.join(timeout=30)
    return events, closed_early


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--reservations", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between commits")
    parser.add_argument(
        "--goal-ms", type=float, default=None, help="p99 goal (100 up to 1,000 clients, else 250)"
    )
    parser.add_argument("--per-event", action="store_true", help="print each event's spread")
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)
    goal_ms = args.goal_ms or _goal_ms(args.clients)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from reservations import services

    from ._server import production_server
    from .reservations import _listing

    if not (settings.USES_POSTGRES and settings.REDIS_URL):
        print(
            "The live benchmark needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.",
            file=sys.stderr,
        )
        return 2
    call_command("migrate", verbosity=0)
    owner, reserver, cookies = _people_and_cookies(args.clients)
    listing = _listing(owner, 999)
    commits: dict[int, float] = {}
    load_start = _summary.load_average()
    with production_server(processes=args.servers) as urls:
        pids = _server_pids(urls)
        started = time.monotonic()
        clients, connected = _start_clients(urls, cookies, args.client_processes, settings.SITE_URL)
        connect_seconds = time.monotonic() - started
        try:
            time.sleep(2)
            client_pids = [process.pid for process, _ in clients]
            cpu_before = sum(_cpu_seconds(pid) for pid in pids)
            client_before = sum(_cpu_seconds(pid) for pid in client_pids)
            for _ in range(args.reservations):
                with transaction.atomic():
                    reservation = services.reservation_create(
                        actor=reserver,
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
            client_after = sum(_cpu_seconds(pid) for pid in client_pids)
        finally:
            events, closed_early = _stop_clients(clients)
    latencies = sorted(
        (received - commits[quantity]) * 1000
        for quantity, received in events
        if quantity in commits
    )
    expected = args.clients * args.reservations
    if args.per_event:
        _print_per_event(events, commits)
    delivered = len(latencies)
    result = {
        "benchmark": "live",
        "clients": args.clients,
        "people": len(set(cookies)),
        "connected": connected,
        "connect_seconds": round(connect_seconds, 1),
        "servers": args.servers,
        "client_processes": args.client_processes,
        "reservations": args.reservations,
        "delivered": delivered,
        "expected": expected,
        "closed_early": len(closed_early),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(delivered * 0.99) - 1], 1) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "server_cpu_ms_per_message": round((cpu_after - cpu_before) * 1000 / max(delivered, 1), 3),
        "client_cpu_ms_per_message": round(
            (client_after - client_before) * 1000 / max(delivered, 1), 3
        ),
        "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "load_average": {"start": load_start, "end": _summary.load_average()},
    }
    where = f"{args.clients:,} sockets of {args.clients:,} people, {args.servers} servers"
    result["goals"] = [
        _summary.goal(
            f"live p99 ms, {args.clients:,} sockets",
            result["p99_ms"],
            goal_ms,
            at_most=True,
            note=f"{where}; p50 {result['p50_ms']}, max {result['max_ms']}",
        ),
        _summary.goal(
            f"live deliveries, {args.clients:,} sockets",
            delivered,
            expected,
            note=f"{result['closed_early']} sockets closed early",
        ),
    ]
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)


def _print_table(result: dict) -> None:
    for key, value in result.items():
        if key not in ("goals", "benchmark"):
            print(f"{key:<28} {value}")


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


def _server_pids(urls) -> list[int]:
    """The server processes listening on these ports (found by ss)."""
    pids = []
    for url in urls:
        port = url.rsplit(":", 1)[1]
        out = subprocess.run(
            ["ss", "-ltnp", f"sport = :{port}"], capture_output=True, text=True
        ).stdout
        pids += [int(p) for p in re.findall(r"pid=(\d+)", out)]
    return sorted(set(pids))
