"""The production ASGI server: uvicorn, with the flags in one place.

    python -m kierratys.server --host 0.0.0.0 --port 8000 --workers 4

Tests and benchmarks start the same command, so they measure what production runs.
`make run` adds `--jobs --reload`: the worker and the periodic jobs run inside the server
process (`kierratys/management/jobs.py`, README "Live updates under make run"), and the
server restarts when code or a template changes.
Why uvicorn rather than daphne: with 1,000 open sockets a live event reached the last one
much sooner (bench/README.md, "live"): uvicorn writes each frame as it is sent, where
daphne's reactor wrote them all after the whole fan-out.

Pages and websockets share the one address. Websockets go to Channels; pages go to Django's
WSGI handler in a pool of settings.HTTP_THREADS threads (kierratys/asgi.py, serving.py), and
each thread keeps its PostgreSQL connection (settings CONN_MAX_AGE). Under Django's ASGI
handler each of our ~15 sync middleware hooks was a hand-off between the event loop and the
one thread sync code shares; through the WSGI handler a page's whole stack runs in one
thread. Measured on 2 shared cores (load 2.5-11), one process, wrk -t1 -c8 -d5s, 3 rounds
interleaved in one run, medians, signed in (session cookie): /bench/hello/ through every
middleware, and /listings/ at 20,000 listings (how: docs/operations.md, "Serving"):

    Django ASGI handler, a new connection per request     hello 130 req/s   catalogue 24
    WSGI handler in 4 threads, a new connection (alone)   hello 146         catalogue 29
    WSGI handler in 4 threads, kept connections (today)   hello 390         catalogue 32
      the same in 2 / 8 threads                           hello 390 / 388   catalogue 35 / 35

Other runs: Django's psycopg pool alone (ASGI handler) 85 -> 124 hello; in the WSGI
threads, the pool and kept connections within noise of each other (261 / 204, 169 / 259);
sync gunicorn with kept connections 260 hello where this server did 237; a bare hello (no
cookie) 2,160 under gunicorn, 1,210 here, 450 under Django's ASGI handler.

Kept connections rather than Django's psycopg pool: as fast in these threads, no extra
package, nothing to size beyond HTTP_THREADS, and nothing changes for the test suite.
Rather than gunicorn for pages behind the same address: a second server and a proxy that
splits /ws/ off, for pages within 10 % of it signed in. Rather than async middleware: most of
the stack is Django's and third parties' (sessions, CSRF, auth, axes, csp), sync under ASGI.
Four threads: fast pages gain nothing from more (one runs Python at a time), and a slow
page (a report, a broad search) holds up only its own thread.
"""

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

# Garbage-collect after this many new objects (Python's default is 700). A process holding
# hundreds of sockets otherwise promotes the objects of every event in flight to the oldest
# generation, and soon runs a full collection that stalls every socket for about 100 ms.
GC_THRESHOLDS = (20_000, 20, 20)
# The largest websocket message a client may send (the consumer checks it too, for daphne).
CLIENT_FRAME_MAX_BYTES = 4096
# `--jobs` tells the server process (the reloader's child too) how often the periodic jobs run.
JOBS_ENV = "KIERRATYS_SERVER_JOBS_EVERY"
# What the reloader watches: the project's packages (never .venv), code and templates.
ROOT = Path(__file__).resolve().parent.parent
RELOAD_DIRS = tuple(
    str(ROOT / name) for name in ("kierratys", "listings", "reservations", "inventory")
)
RELOAD_INCLUDES = ("*.py", "*.html", "*.mo")
LOG_CONFIG = ROOT / "kierratys" / "observability" / "uvicorn-logging.json"


def application():
    """The ASGI application, made ready for a long-lived server process (uvicorn --factory)."""
    from django.urls import get_resolver

    from kierratys.asgi import application

    get_resolver().url_patterns  # noqa: B018 - imports every view now, before the freeze
    # Everything loaded so far (Django, the apps, the views) lives as long as the process:
    # keep it out of the garbage collector's full passes.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return application


class WithJobs:
    """The application, with the worker and the periodic jobs on the server's event loop.

    They start at the ASGI lifespan's startup and stop at its shutdown (Ctrl-C, or the
    reloader restarting the server), so there is one set per server process, and none in
    the reloader's supervisor, which never loads the application.
    """

    def __init__(self, app, *, periodic_seconds: float):
        from kierratys.management.jobs import InProcessJobs

        self.app = app
        self.jobs = InProcessJobs(periodic_seconds=periodic_seconds)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.jobs.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.jobs.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def application_with_jobs():
    """`application()` plus the in-process jobs (uvicorn --factory, with --jobs)."""
    return WithJobs(application(), periodic_seconds=float(os.environ.get(JOBS_ENV, "300")))


def command(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    log_level: str = "info",
    jobs: bool = False,
    reload: bool = False,
) -> list[str]:
    """The uvicorn command line. With `jobs`, set JOBS_ENV in its environment (`main` does)."""
    if jobs and workers != 1:
        raise ValueError("--jobs runs the jobs in the one server process: use --workers 1")
    reloading = []
    if reload:
        reloading = ["--reload"]
        for folder in RELOAD_DIRS:
            reloading += ["--reload-dir", folder]
        for pattern in RELOAD_INCLUDES:
            reloading += ["--reload-include", pattern]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "kierratys.server:application_with_jobs" if jobs else "kierratys.server:application",
        "--factory",
        *reloading,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--lifespan",
        # Only the jobs have startup and shutdown hooks; the Django application has none.
        "on" if jobs else "off",
        "--ws",
        "websockets-sansio",
        # Events are a few hundred bytes: compressing them per socket costs more than it saves.
        "--ws-per-message-deflate",
        "false",
        # Clients only send pings: a bigger frame is closed (1009) instead of buffering
        # uvicorn's default 16 MiB per message.
        "--ws-max-size",
        str(CLIENT_FRAME_MAX_BYTES),
        "--proxy-headers",
        # uvicorn's own lines as JSON where the app's are (kierratys/observability/logs.py),
        # its supervisor's too, which never loads Django.
        "--log-config",
        str(LOG_CONFIG),
        "--log-level",
        log_level,
    ]


def fresh_metrics_folder(workers: int) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, the processes share their metrics through files
    there (kierratys/observability/metrics.py): an earlier run's would be counted again.
    Several workers without it get a folder of their own: each would otherwise answer a
    scrape with only its own numbers."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder and workers > 1:
        folder = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kierratys.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--jobs",
        action="store_true",
        help="Run the worker and the periodic jobs inside the server process (make run).",
    )
    parser.add_argument(
        "--jobs-every",
        type=float,
        default=300,
        metavar="SECONDS",
        help="With --jobs: how often the periodic jobs run (default 300).",
    )
    parser.add_argument(
        "--reload", action="store_true", help="Restart on code changes (development)."
    )
    args = parser.parse_args(argv)
    if args.jobs and args.workers != 1:
        parser.error("--jobs runs the jobs in the one server process: use --workers 1")
    if args.jobs:
        os.environ[JOBS_ENV] = str(args.jobs_every)
    fresh_metrics_folder(args.workers)
    argv = command(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        jobs=args.jobs,
        reload=args.reload,
    )
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
