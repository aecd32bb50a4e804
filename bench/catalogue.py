"""Catalogue and search pages against two bare hellos: the production server's and gunicorn's.

Needs PostgreSQL (DATABASE_URL) and wrk. Two scenarios:

- ``city`` (default): one organisation, --listings (100,000) made by
  ``manage.py generate_listings``, the demo reserver browsing.
- ``regions``: --listings (1,000,000) over 40 organisations in 8 regions, made in SQL
  (bench/_regions.py), a viewer who may see about 5 % of them (own organisation and its
  5 partners' listings at the partner stage): the goals' scenario.

Every listing has 1-3 photos (bench/_photos.py), so the cards show covers. Pages: the
catalogue, a broad search (``tuoli``: a word in a fifth of the titles) and a narrow one.
Baselines, in the same run, with no cookie: the bare hello on the production server
command (bench/_hello_settings.py: no middleware), the same hello on sync gunicorn (the
fastest way this machine serves Django: the physical limit), and the hello through the
whole middleware stack (how much the stack costs). Goals (issue 22): catalogue >= 0.20 of
the faster bare hello, the same SQL statements at 12, 24 and 48 cards, broad search >= 0.5 of
the catalogue's rate.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile

from . import _summary

PAGES = {
    "city": {
        "catalogue": "/listings/",
        "search broad": "/listings/?q=tuoli",
        "search narrow": "/listings/?q=divaani",
        "search filtered": "/listings/?q=tuolit&condition=good&width_min=40",
    },
    "regions": {
        "catalogue": "/listings/",
        "search broad": "/listings/?q=tuoli",
        "search narrow": "/listings/?q=jugend",
    },
}
# Baselines: (which server, path). None of them is sent a cookie.
BASELINES = {
    "hello bare": "bare",  # the production server command, no middleware
    "hello gunicorn": "gunicorn",  # sync gunicorn, no middleware: the physical limit
    "hello stack": "stack",  # the production server, every middleware, no session
}
CATALOGUE_GOAL = 0.20  # of the faster bare hello
BROAD_GOAL = 0.5  # of the catalogue
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


def _wrk_script(cookies: list[str]) -> str:
    """A wrk Lua script sending each request with the next person's cookie."""
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


def _targets(urls: dict, pages: dict, script: str) -> dict:
    """Each page's name -> (URL, wrk options): the hellos without a cookie, the pages as the
    signed-in people of `script`."""
    targets = {name: (urls[server], {}) for name, server in BASELINES.items()}
    for name, path in pages.items():
        targets[name] = (urls["pages"] + path, {"script": script})
    return targets


def measure(targets: dict, *, rounds: int, seconds: float, connections: int) -> dict:
    """wrk on every target, `rounds` interleaved rounds (noise hits every page alike) after a
    2-second warm-up of each. Returns each target's runs."""
    from ._server import wrk

    for url, options in targets.values():
        wrk(url, seconds=2, connections=2, **options)
    results = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (url, options) in targets.items():
            results[name].append(wrk(url, seconds=seconds, connections=connections, **options))
    return results


def summarise(results: dict, queries: dict) -> dict:
    """Medians per page and every ratio: against both bare hellos, the faster one, and (for
    the searches) the catalogue."""
    rows = {}
    for name, runs in results.items():
        rows[name] = {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "p50_ms": round(statistics.median(r["p50"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99"] for r in runs), 2),
            "queries": queries.get(name),
            "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
        }
    bare, gunicorn = rows["hello bare"]["rps"], rows["hello gunicorn"]["rps"]
    fastest = max(bare, gunicorn)
    catalogue = rows["catalogue"]["rps"]
    for name, row in rows.items():
        row["vs_bare"] = _summary.ratio(row["rps"], bare)
        row["vs_gunicorn"] = _summary.ratio(row["rps"], gunicorn)
        row["vs_fastest"] = _summary.ratio(row["rps"], fastest)
        row["vs_catalogue"] = None if name in BASELINES else _summary.ratio(row["rps"], catalogue)
    return rows


def goals(rows: dict, scenario: str, listings: int) -> list[dict]:
    where = f"{scenario}, {listings:,} listings"
    counts = rows["catalogue"]["queries"] or []
    constant = all(len(set(row["queries"])) == 1 for row in rows.values() if row["queries"])
    return [
        _summary.goal(
            "catalogue / fastest bare hello",
            rows["catalogue"]["vs_fastest"],
            CATALOGUE_GOAL,
            note=f"{where}; {rows['catalogue']['rps']} req/s, "
            f"vs bare {rows['catalogue']['vs_bare']}, "
            f"vs gunicorn {rows['catalogue']['vs_gunicorn']}",
        ),
        _summary.goal_true(
            "queries the same at 12/24/48 cards",
            constant,
            note="catalogue "
            + "/".join(map(str, counts))
            + "; searches "
            + ", ".join(
                "/".join(map(str, row["queries"]))
                for name, row in rows.items()
                if name.startswith("search") and row["queries"]
            ),
        ),
        _summary.goal(
            "broad search / catalogue",
            rows["search broad"]["vs_catalogue"],
            BROAD_GOAL,
            note=f"{where}; {rows['search broad']['rps']} req/s, "
            f"vs bare {rows['search broad']['vs_bare']}, "
            f"vs gunicorn {rows['search broad']['vs_gunicorn']}",
        ),
        _summary.goal(
            "no errors",
            sum(row["errors"] for row in rows.values()),
            0,
            at_most=True,
            note="non-2xx answers, connect errors and timeouts (> 10 s)",
        ),
    ]


def _print_table(result: dict) -> None:
    print(f"scenario {result['scenario']}: {json.dumps(result['data'])}")
    print(
        f"wrk 1 thread, {result['connections']} connections, {result['rounds']} x "
        f"{result['seconds']} s per page, medians; {result['processes']} server process(es) "
        f"each; queries at page sizes {'/'.join(map(str, PAGE_SIZES))}; "
        f"load {result['load_average']['start']} -> {result['load_average']['end']}"
    )
    columns = ("req/s", "p50 ms", "p99 ms", "vs bare", "vs gunic.", "vs catal.", "queries")
    columns += ("errors",)
    print(f"{'page':<16}" + "".join(f"{c:>10}" for c in columns))
    for name, row in result["pages"].items():
        counts = "/".join(map(str, row["queries"])) if row["queries"] else "-"
        cells = (
            row["rps"],
            row["p50_ms"],
            row["p99_ms"],
            row["vs_bare"],
            row["vs_gunicorn"],
            "-" if row["vs_catalogue"] is None else row["vs_catalogue"],
            counts,
            row["errors"],
        )
        print(f"{name:<16}" + "".join(f"{str(c):>10}" for c in cells))


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
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes of each server (default 1)"
    )
    parser.add_argument("--explain", action="store_true", help="print the pages' query plans")
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)
    listings = args.listings or DEFAULT_LISTINGS[args.scenario]

    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from . import _people, _photos
    from ._server import HELLO, hello_servers, production_server, status

    if not settings.USES_POSTGRES:
        print("The catalogue benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    prepare = _prepare_regions if args.scenario == "regions" else _prepare_city
    user, data = prepare(listings)
    data.update(_photos.ensure_photos(out=lambda line: print(line, file=sys.stderr)))
    pages = PAGES[args.scenario]
    queries = queries_per_page(user, pages)
    if args.explain:
        for name, path in pages.items():
            print(f"--- {name}: {path}\n{explain(user, path)}\n")
    people = _people.colleagues(user, count=PEOPLE, email_prefix="viewer")
    cookies = _people.session_cookies([user, *people])
    script = _wrk_script(cookies)
    load_start = _summary.load_average()
    try:
        with (
            hello_servers(args.processes) as urls,
            production_server(workers=args.processes) as bases,
        ):
            urls.update(stack=bases[0] + HELLO, pages=bases[0])
            for name, path in pages.items():
                if status(bases[0] + path, {"Cookie": cookies[0]}) != 200:
                    raise SystemExit(f"{name} ({path}) does not answer 200 for the viewer")
            results = measure(
                _targets(urls, pages, script),
                rounds=args.rounds,
                seconds=args.seconds,
                connections=args.connections,
            )
    finally:
        os.unlink(script)
    rows = summarise(results, queries)
    result = {
        "benchmark": "catalogue",
        "scenario": args.scenario,
        "data": data,
        "processes": args.processes,
        "connections": args.connections,
        "rounds": args.rounds,
        "seconds": args.seconds,
        "load_average": {"start": load_start, "end": _summary.load_average()},
        "pages": rows,
        "goals": goals(rows, args.scenario, data["listings"]),
    }
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)
