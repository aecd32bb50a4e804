"""Catalogue and search pages vs a bare "hello" view, same ASGI server, same run.

Needs PostgreSQL (DATABASE_URL) and wrk. Two scenarios:

- ``city`` (default): one organisation, --listings (100,000) made by
  ``manage.py generate_listings``, the demo reserver browsing. Goal: catalogue >= 0.25.
- ``regions``: --listings (1,000,000) over 40 organisations in 8 regions, made in SQL
  (bench/_regions.py), a viewer who may see about 5 % of them (own organisation and its
  5 partners' listings at the partner stage). Pages: catalogue, a broad and a narrow search.
  Goals: catalogue >= 0.30, each search >= 0.25.

Reports requests/s, p50 and p99 per page, the ratio page/hello, and the SQL statements
one page costs at three page sizes (it must not grow with the page).
"""

import argparse
import functools
import json
import os
import statistics
import sys

PAGES = {
    "city": {
        "catalogue": "/listings/",
        "search": "/listings/?q=tuolit&condition=good&width_min=40",
    },
    "regions": {
        "catalogue": "/listings/",
        "search broad": "/listings/?q=tuoli",
        "search narrow": "/listings/?q=jugend",
    },
}
GOALS = {
    "city": {"catalogue": 0.25},
    "regions": {"catalogue": 0.30, "search broad": 0.25, "search narrow": 0.25},
}
DEFAULT_LISTINGS = {"city": 100_000, "regions": 1_000_000}
PAGE_SIZES = (12, 24, 48)
# Searches are limited per person (listings.search.RATE_PER_MINUTE): wrk takes turns with
# this many signed-in people of the viewer's unit, so the pages measured are searches.
PEOPLE = 400


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    from ._server import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    import django

    django.setup()


def _session_cookie(user) -> str:
    """A signed-in staff member's session, made directly in the session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "kierratys.accounts.backends.UnitAwareBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; django_language=fi"


def _people(user, count: int) -> list:
    """`count` signed-in colleagues of `user` (same unit and roles), made once."""
    from kierratys.accounts.models import User

    domain = "bench.example"
    wanted = [f"viewer-{n:03d}@{domain}" for n in range(count)]
    have = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    made = []
    for email in wanted:
        if email not in have:
            person = User(email=email, full_name="Bench Viewer", unit_id=user.unit_id)
            person.set_unusable_password()
            person.is_active = True
            person.email_verified_at = user.email_verified_at
            made.append(person)
    User.objects.bulk_create(made)
    people = list(User.objects.filter(email__in=wanted).order_by("email"))
    groups = list(user.groups.all())
    if made:
        for person in people:
            person.groups.set(groups)
    return people


def _wrk_script(cookies: list[str]) -> str:
    """A wrk Lua script sending each request with the next person's cookie."""
    import tempfile

    quoted = ",\n".join(json.dumps(cookie) for cookie in cookies)
    script = tempfile.NamedTemporaryFile(  # noqa: SIM115 - read by wrk, removed at exit
        "w", prefix="kierratys-bench-", suffix=".lua", delete=False
    )
    script.write(
        "local cookies = {\n" + quoted + "\n}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format(nil, nil, {["Cookie"] = cookies[(n % #cookies) + 1]})\n'
        "end\n"
    )
    script.close()
    return script.name


def _wrk_people(url: str, *, script: str, seconds: int, connections: int, cookie: str) -> dict:
    """bench._server.wrk, with requests spread over the people of `script`."""
    import re
    import shutil
    import subprocess

    from ._server import _ms, _status

    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", script, url]  # a page slower than 10 s counts as an error
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", output).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if _status(url, {"Cookie": cookie}) != 200:
        raise SystemExit(f"{url} does not answer 200 for the benchmark's user")
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": (int(errors.group(1)) if errors else 0)
        + (sum(int(n) for n in failed.groups()) if failed else 0),
    }


def _prepare_city(listings: int):
    from django.core.management import call_command

    from kierratys.accounts.models import User
    from kierratys.demo import seed_organisation
    from listings.models import Listing

    missing = listings - Listing.objects.count()
    if missing > 0:
        call_command("generate_listings", missing)
    seed_organisation()
    return User.objects.get(email="reserver@demo.example"), {"listings": Listing.objects.count()}


def _prepare_regions(listings: int):
    from . import _regions

    _regions.generate(listings)
    viewer = _regions.seed_structure()
    return viewer, _regions.viewer_share(viewer)


def queries_per_page(user, paths: dict) -> dict:
    """SQL statements for each page at several page sizes, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import listings.selectors as selectors

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(user)
    counts = {}
    original = selectors.CATALOGUE_PAGE_SIZE
    try:
        for name, path in paths.items():
            client.get(path)  # cached filter choices, session
            counts[name] = []
            for size in PAGE_SIZES:
                selectors.CATALOGUE_PAGE_SIZE = size
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                counts[name].append(len(captured))
    finally:
        selectors.CATALOGUE_PAGE_SIZE = original
    return counts


def explain(user, path: str) -> str:
    """EXPLAIN ANALYZE of each statement on the listings that one page runs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "listings_listing" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append(sql + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench catalogue", description=__doc__)
    parser.add_argument("--scenario", choices=sorted(PAGES), default="city")
    parser.add_argument(
        "--listings",
        type=int,
        default=None,
        help="how many listings (city: 100,000; regions: 1,000,000, e.g. 100000 for a quick run)",
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print the pages' query plans")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    listings = args.listings or DEFAULT_LISTINGS[args.scenario]

    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from ._server import asgi_server

    if not settings.USES_POSTGRES:
        print("The catalogue benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    prepare = _prepare_regions if args.scenario == "regions" else _prepare_city
    user, data = prepare(listings)
    pages = {"hello": "/bench/hello/", **PAGES[args.scenario]}
    queries = queries_per_page(user, PAGES[args.scenario])
    if args.explain:
        for name, path in PAGES[args.scenario].items():
            print(f"--- {name}: {path}\n{explain(user, path)}\n")
    cookies = [_session_cookie(person) for person in [user, *_people(user, PEOPLE)]]
    script = _wrk_script(cookies)
    results = {name: [] for name in pages}
    try:
        with asgi_server() as (base,):
            run = functools.partial(_wrk_people, script=script, cookie=cookies[0])
            for path in pages.values():  # warm up caches and connections
                run(base + path, seconds=2, connections=2)
            for _ in range(args.rounds):  # interleaved, so noise hits every page alike
                for name, path in pages.items():
                    results[name].append(
                        run(base + path, seconds=args.seconds, connections=args.connections)
                    )
    finally:
        os.unlink(script)
    summary = {}
    hello_rps = statistics.median(r["rps"] for r in results["hello"])
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        summary[name] = {
            "rps": round(rps, 1),
            "p50_ms": round(statistics.median(r["p50"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99"] for r in runs), 2),
            "ratio_to_hello": round(rps / hello_rps, 3),
            "goal": GOALS[args.scenario].get(name),
            "queries": queries.get(name),
            "non_2xx": sum(r["non_2xx"] for r in runs),
        }
    if args.json:
        print(json.dumps({"scenario": args.scenario, "data": data, "pages": summary}, indent=2))
    else:
        print(f"scenario {args.scenario}: {json.dumps(data)}")
        print(
            f"wrk 1 thread, {args.connections} connections, "
            f"{args.rounds} x {args.seconds} s per page, medians; "
            f"queries at page sizes {'/'.join(map(str, PAGE_SIZES))}"
        )
        print(
            f"{'page':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9} "
            f"{'goal':>6} {'queries':>10} {'errors':>7}"
        )
        for name, row in summary.items():
            counts = "/".join(map(str, row["queries"])) if row["queries"] else "-"
            print(
                f"{name:<14} {row['rps']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8} "
                f"{row['ratio_to_hello']:>9} {row['goal'] or '':>6} {counts:>10} "
                f"{row['non_2xx']:>7}"
            )
    failed = any(row["non_2xx"] for row in summary.values())
    missed = any(
        row["goal"] is not None and row["ratio_to_hello"] < row["goal"] for row in summary.values()
    )
    constant = all(len(set(row["queries"])) == 1 for row in summary.values() if row["queries"])
    return 1 if failed or missed or not constant else 0
