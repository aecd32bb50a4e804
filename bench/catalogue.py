"""Catalogue and search pages vs a bare "hello" view, same ASGI server, same run.

Needs PostgreSQL (DATABASE_URL) and wrk. Generates the listings first if there are fewer
than --listings. Reports requests/s, p50 and p99 per page and the ratio page/hello
(goal: catalogue at least 0.25).
"""

import argparse
import json
import os
import statistics
import sys


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    from ._server import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    import django

    django.setup()


def _session_cookie() -> str:
    """A signed-in staff member's session, made directly in the session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kierratys.accounts.models import User
    from kierratys.demo import seed_organisation

    seed_organisation()
    user = User.objects.get(email="reserver@demo.example")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "kierratys.accounts.backends.UnitAwareBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; django_language=fi"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench catalogue", description=__doc__)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from listings.models import Listing

    from ._server import asgi_server, wrk

    if not settings.USES_POSTGRES:
        print("The catalogue benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    missing = args.listings - Listing.objects.count()
    if missing > 0:
        call_command("generate_listings", missing)
    cookie = _session_cookie()
    pages = {
        "hello": "/bench/hello/",
        "catalogue": "/listings/",
        "search": "/listings/?q=tuolit&condition=good&width_min=40",
    }
    results = {name: [] for name in pages}
    with asgi_server() as (base,):
        for path in pages.values():  # warm up caches and connections
            wrk(base + path, seconds=2, connections=2, headers={"Cookie": cookie})
        for _ in range(args.rounds):  # interleaved, so noise hits every page alike
            for name, path in pages.items():
                results[name].append(
                    wrk(
                        base + path,
                        seconds=args.seconds,
                        connections=args.connections,
                        headers={"Cookie": cookie},
                    )
                )
    summary = {}
    hello_rps = statistics.median(r["rps"] for r in results["hello"])
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        summary[name] = {
            "rps": round(rps, 1),
            "p50_ms": round(statistics.median(r["p50"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99"] for r in runs), 2),
            "ratio_to_hello": round(rps / hello_rps, 3),
            "non_2xx": sum(r["non_2xx"] for r in runs),
        }
    if args.json:
        print(json.dumps({"listings": Listing.objects.count(), "pages": summary}, indent=2))
    else:
        print(
            f"{Listing.objects.count()} listings; wrk 1 thread, {args.connections} connections, "
            f"{args.rounds} x {args.seconds} s per page, medians"
        )
        print(f"{'page':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9}")
        for name, row in summary.items():
            print(
                f"{name:<10} {row['rps']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8} "
                f"{row['ratio_to_hello']:>9}"
            )
    failed = any(row["non_2xx"] for row in summary.values())
    return 1 if failed or summary["catalogue"]["ratio_to_hello"] < 0.25 else 0
