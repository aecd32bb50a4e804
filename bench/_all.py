"""`python -m bench` (`make bench`): every benchmark, then one table of the goals of issue 22.

Each benchmark runs in a process of its own (`python -m bench NAME ... --json-out FILE`),
with its own output shown as it goes, on PostgreSQL databases this makes when they are
missing:

    BENCH_DATABASE_URL          postgres://postgres@127.0.0.1:5432/kierratys_bench
                                reservations, live, reports (100,000 listings, made once)
    BENCH_REGIONS_DATABASE_URL  postgres://postgres@127.0.0.1:5432/kierratys_bench_regions
                                catalogue --scenario regions (1,000,000 listings, made once)
    BENCH_REDIS_URL             redis://127.0.0.1:6379/5 (REDIS_URL when set), as production

DATABASE_URL is not used here, so a run never measures (or fills) a development database.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from . import _summary
from ._server import ROOT, server_env

DATABASE = "postgres://postgres@127.0.0.1:5432/kierratys_bench"
REGIONS_DATABASE = "postgres://postgres@127.0.0.1:5432/kierratys_bench_regions"
REDIS = "redis://127.0.0.1:6379/5"

# (label, benchmark, arguments, database: "main", "regions" or None)
STEPS = [
    ("photos", "photos", [], None),
    ("reservations", "reservations", [], "main"),
    ("live 1,000", "live", ["--clients", "1000", "--servers", "2"], "main"),
    (
        "live 5,000",
        "live",
        ["--clients", "5000", "--servers", "4", "--client-processes", "2"],
        "main",
    ),
    ("catalogue", "catalogue", ["--scenario", "regions"], "regions"),
    ("reports", "reports", [], "main"),
    ("webhooks", "webhooks", [], "main"),
    ("api", "api", [], "main"),
]
QUICK = {  # --quick: shorter measurements, the same data
    "photos": ["--rounds", "5"],
    "reservations": ["--rounds", "1"],
    "live": ["--reservations", "5", "--interval", "0.5"],
    "catalogue": ["--seconds", "3", "--rounds", "1"],
    "reports": ["--rounds", "3"],
    "webhooks": ["--events", "300"],
    "api": ["--seconds", "3", "--rounds", "1"],
}


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database of `url` when it is missing. True when it made it."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def _env(database: str | None, redis: str) -> dict:
    """What each benchmark process runs with: DEBUG off (as in production) and the databases."""
    env = server_env(
        REDIS_URL=redis, REDIS_PREFIX=os.environ.get("REDIS_PREFIX", "kierratys-bench")
    )
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    return env


def run_step(label, name, argv, database, redis, out) -> dict:
    with tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".json") as result:
        command = [sys.executable, "-m", "bench", name, *argv, "--json-out", result.name]
        print(f"\n=== {label}: python -m bench {name} {' '.join(argv)}", file=out, flush=True)
        started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, env=_env(database, redis)).returncode
        seconds = round(time.monotonic() - started)
        try:
            with open(result.name) as stored:
                data = json.load(stored)
        except (OSError, ValueError):
            data = {}
    data.setdefault("goals", [])
    if not data["goals"]:
        data["goals"] = [_summary.goal_true(f"{label} ran", False, note=f"exit status {code}")]
    for row in data["goals"]:
        row["bench"] = label
    data["step"] = {"label": label, "seconds": seconds, "exit_status": code}
    return data


def format_run(results: list[dict], load_start, load_end, seconds: int) -> str:
    """The run's summary: every goal of every benchmark, and the load it ran under."""
    lines = [
        "",
        "=" * 100,
        f"Goals of issue 22 (and the reports' own), {time.strftime('%Y-%m-%d %H:%M %Z')}, "
        f"{seconds // 60} min {seconds % 60} s",
        f"load average (1, 5, 15 min): {load_start} at the start, {load_end} at the end",
        "",
        _summary.format_goals(
            [row for result in results for row in result["goals"]], with_bench=True
        ),
        "",
        "per benchmark: "
        + "; ".join(
            f"{r['step']['label']} {r['step']['seconds']} s"
            + (
                f", load {r['load_average']['start'][0]}-{r['load_average']['end'][0]}"
                if r.get("load_average")
                else ""
            )
            + ("" if r["step"]["exit_status"] in (0, 1) else f", exit {r['step']['exit_status']}")
            for r in results
        ),
    ]
    lines += ["", "figures:"]
    lines += [f"  {r['step']['label']}: {figures(r)}" for r in results]
    return "\n".join(lines)


def figures(result: dict) -> str:
    """One line of a benchmark's main figures (for the README's table)."""
    kind = result.get("benchmark")
    if kind == "catalogue":
        pages = result["pages"]
        return ", ".join(f"{name} {row['rps']} req/s" for name, row in pages.items())
    if kind == "reservations":
        return (
            f"one statement {result['one_statement_per_s']}/s, locked transaction "
            f"{result['locked_transaction_per_s']}/s, service {result['service_per_s']}/s"
        )
    if kind == "live":
        return (
            f"{result['clients']} sockets / {result['servers']} servers: p50 {result['p50_ms']} "
            f"ms, p99 {result['p99_ms']} ms, {result['delivered']}/{result['expected']} delivered"
        )
    if kind == "photos":
        return (
            f"decode {result['decode_ms']['median']} ms, "
            f"process_photo {result['pipeline_ms']['median']} ms"
        )
    if kind == "api":
        pages = result["pages"]
        return ", ".join(f"{name} {row['rps']} req/s" for name, row in pages.items())
    if kind == "reports":
        rows = result["results"]
        return ", ".join(f"{name} {row['median_ms']} ms" for name, row in rows.items())
    return "-"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench all",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="short measurements (development)")
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="e.g. --only photos catalogue")
    parser.add_argument("--json-out", metavar="FILE", help="write every result as JSON to FILE")
    args = parser.parse_args(argv)
    databases = {
        "main": os.environ.get("BENCH_DATABASE_URL", DATABASE),
        "regions": os.environ.get("BENCH_REGIONS_DATABASE_URL", REGIONS_DATABASE),
    }
    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or REDIS
    steps = [s for s in STEPS if not args.only or any(s[0].startswith(o) for o in args.only)]
    for kind in sorted({step[3] for step in steps if step[3]}):
        if ensure_database(databases[kind]):
            print(f"created database {urlsplit(databases[kind]).path.lstrip('/')}")
    load_start = _summary.load_average()
    started = time.monotonic()
    results = []
    for label, name, extra, database in steps:
        argv = [*extra, *(QUICK.get(name, []) if args.quick else [])]
        results.append(run_step(label, name, argv, databases.get(database), redis, sys.stdout))
    summary = format_run(
        results, load_start, _summary.load_average(), round(time.monotonic() - started)
    )
    print(summary)
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(results, out, indent=2)
    return 0 if all(row["ok"] for r in results for row in r["goals"]) else 1
