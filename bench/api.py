"""The API's listings list against the bare hello, on the production server (issue 19).

Needs PostgreSQL (DATABASE_URL) and wrk. Data: the catalogue benchmark's `city` scenario
(--listings, default 100,000, made by `manage.py generate_listings`, 1-3 photos each), read
by service tokens of the demo reserver's unit. Pages, 24 items each: the listings list with
the catalogue's filters (`condition=good&width_min=40`), and without filters (information).
Baselines in the same run, interleaved, no cookie: the bare hello on the production server
command (bench/_hello_settings.py: no middleware) and the hello through the whole stack
(information). Goals (issue 19): the filtered list >= 0.5 of the bare hello; the same
number of SQL statements at page sizes 12, 24 and 48.

Each request carries the next of --tokens tokens (a wrk Lua script), each allowed the most
requests a minute (kierratys.api.models.MAX_RATE_PER_MINUTE), so the rate limit is counted
on every request, as in production, but never reached.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile

from . import _summary

PAGES = {
    "api filtered": "/api/v1/listings/?page_size=24&condition=good&width_min=40",
    "api list": "/api/v1/listings/?page_size=24",
}
GOAL = 0.5  # the filtered list, of the bare hello
PAGE_SIZES = (12, 24, 48)
DEFAULT_LISTINGS = 100_000
TOKENS = 40


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    from ._server import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    import django

    django.setup()


def make_tokens(viewer, count: int) -> list[str]:
    """`count` new tokens of the viewer's organisation acting for the viewer's unit, reading
    listings at the highest allowed rate; their secrets."""
    from kierratys.accounts.models import User
    from kierratys.accounts.roles import COORDINATOR
    from kierratys.api import services
    from kierratys.api.models import MAX_RATE_PER_MINUTE, Scope

    organisation_id = viewer.unit.department.organisation_id
    coordinator = User.objects.filter(
        groups__name=COORDINATOR, unit__department__organisation_id=organisation_id
    ).first()
    if coordinator is None:
        raise SystemExit("The benchmark needs a coordinator in the viewer's organisation.")
    return [
        services.token_create(
            actor=coordinator,
            name=f"Bench {n}",
            unit_id=viewer.unit_id,
            scopes=[Scope.LISTINGS_READ],
            days=1,
            rate_per_minute=MAX_RATE_PER_MINUTE,
        ).secret
        for n in range(count)
    ]


def _wrk_script(secrets: list[str]) -> str:
    """A wrk Lua script sending each request with the next token."""
    quoted = ",\n".join(json.dumps(f"Bearer {secret}") for secret in secrets)
    script = tempfile.NamedTemporaryFile(  # noqa: SIM115 - read by wrk, removed at exit
        "w", prefix="kierratys-bench-api-", suffix=".lua", delete=False
    )
    script.write(
        "local tokens = {\n" + quoted + "\n}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format(nil, nil, {["Authorization"] = tokens[(n % #tokens) + 1],'
        ' ["Accept-Language"] = "fi"})\n'
        "end\n"
    )
    script.close()
    return script.name


def queries_per_page(secret: str, paths: dict) -> dict:
    """SQL statements of each page at several page sizes, through Django's test client, and
    how many items each answered."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    counts, items = {}, {}
    for name, path in paths.items():
        client.get(path)  # the token's last-used mark, cached filter choices
        counts[name], items[name] = [], []
        for size in PAGE_SIZES:
            sized = path.replace("page_size=24", f"page_size={size}")
            with CaptureQueriesContext(connection) as captured:
                response = client.get(sized)
            assert response.status_code == 200, (sized, response.status_code, response.content)
            counts[name].append(len(captured))
            items[name].append(len(response.json()["results"]))
    return {"queries": counts, "items": items}


def measure(targets: dict, *, rounds: int, seconds: float, connections: int) -> dict:
    from ._server import wrk

    for url, options in targets.values():
        wrk(url, seconds=2, connections=2, **options)
    results = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (url, options) in targets.items():
            results[name].append(wrk(url, seconds=seconds, connections=connections, **options))
    return results


def summarise(results: dict, counted: dict) -> dict:
    rows = {}
    for name, runs in results.items():
        rows[name] = {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "p50_ms": round(statistics.median(r["p50"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99"] for r in runs), 2),
            "queries": counted["queries"].get(name),
            "items": counted["items"].get(name),
            "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
        }
    bare = rows["hello bare"]["rps"]
    for row in rows.values():
        row["vs_bare"] = _summary.ratio(row["rps"], bare)
    return rows


def goals(rows: dict, listings: int) -> list[dict]:
    filtered = rows["api filtered"]
    constant = all(len(set(row["queries"])) == 1 for row in rows.values() if row["queries"])
    return [
        _summary.goal(
            "API listings (filtered, 24) / bare hello",
            filtered["vs_bare"],
            GOAL,
            note=f"{listings:,} listings; {filtered['rps']} req/s, hello bare "
            f"{rows['hello bare']['rps']} req/s, hello stack {rows['hello stack']['rps']}",
        ),
        _summary.goal_true(
            "API queries the same at 12/24/48 items",
            constant,
            note="; ".join(
                f"{name} " + "/".join(map(str, row["queries"]))
                for name, row in rows.items()
                if row["queries"]
            ),
        ),
        _summary.goal_true(
            "API pages full",
            all(row["items"] == list(PAGE_SIZES) for row in rows.values() if row["items"]),
            note="items answered at 12/24/48",
        ),
        _summary.goal(
            "API no errors",
            sum(row["errors"] for row in rows.values()),
            0,
            at_most=True,
            note="non-2xx answers (429 too), connect errors and timeouts",
        ),
    ]


def _print_table(result: dict) -> None:
    print(f"data: {json.dumps(result['data'])}")
    print(
        f"wrk 1 thread, {result['connections']} connections, {result['rounds']} x "
        f"{result['seconds']} s per page, medians; {result['processes']} server process(es); "
        f"{result['tokens']} tokens in turn; queries at page sizes "
        f"{'/'.join(map(str, PAGE_SIZES))}; "
        f"load {result['load_average']['start']} -> {result['load_average']['end']}"
    )
    columns = ("req/s", "p50 ms", "p99 ms", "vs bare", "queries", "errors")
    print(f"{'page':<14}" + "".join(f"{c:>10}" for c in columns))
    for name, row in result["pages"].items():
        counts = "/".join(map(str, row["queries"])) if row["queries"] else "-"
        cells = (row["rps"], row["p50_ms"], row["p99_ms"], row["vs_bare"], counts, row["errors"])
        print(f"{name:<14}" + "".join(f"{str(c):>10}" for c in cells))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench api", description=__doc__)
    parser.add_argument("--listings", type=int, default=DEFAULT_LISTINGS)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=TOKENS)
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes of each server (default 1)"
    )
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)

    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from . import _photos
    from ._server import HELLO, HELLO_SETTINGS, production_server, status
    from .catalogue import _prepare_city

    if not settings.USES_POSTGRES:
        print("The API benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    viewer, data = _prepare_city(args.listings)
    data.update(_photos.ensure_photos(out=lambda line: print(line, file=sys.stderr)))
    secrets = make_tokens(viewer, args.tokens)
    counted = queries_per_page(secrets[0], PAGES)
    script = _wrk_script(secrets)
    load_start = _summary.load_average()
    try:
        with (
            production_server(workers=args.processes, settings=HELLO_SETTINGS) as bare,
            production_server(workers=args.processes) as bases,
        ):
            targets = {"hello bare": (bare[0] + HELLO, {}), "hello stack": (bases[0] + HELLO, {})}
            for name, path in PAGES.items():
                headers = {"Authorization": f"Bearer {secrets[0]}"}
                if status(bases[0] + path, headers) != 200:
                    raise SystemExit(f"{name} ({path}) does not answer 200 for the token")
                targets[name] = (bases[0] + path, {"script": script})
            results = measure(
                targets, rounds=args.rounds, seconds=args.seconds, connections=args.connections
            )
    finally:
        os.unlink(script)
    rows = summarise(results, counted)
    result = {
        "benchmark": "api",
        "data": data,
        "processes": args.processes,
        "connections": args.connections,
        "rounds": args.rounds,
        "seconds": args.seconds,
        "tokens": args.tokens,
        "load_average": {"start": load_start, "end": _summary.load_average()},
        "pages": rows,
        "goals": goals(rows, data["listings"]),
    }
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)
