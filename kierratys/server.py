"""The production ASGI server: uvicorn, with the flags in one place.

    python -m kierratys.server --host 0.0.0.0 --port 8000 --workers 4

Tests and benchmarks start the same command, so they measure what production runs.
Why uvicorn rather than daphne: with 1,000 open sockets a live event reached the last one
much sooner (bench/README.md, "live"): uvicorn writes each frame as it is sent, where
daphne's reactor wrote them all after the whole fan-out.
"""

import argparse
import gc
import os
import sys

# Garbage-collect after this many new objects (Python's default is 700). A process holding
# hundreds of sockets otherwise promotes the objects of every event in flight to the oldest
# generation, and soon runs a full collection that stalls every socket for about 100 ms.
GC_THRESHOLDS = (20_000, 20, 20)
# The largest websocket message a client may send (the consumer checks it too, for daphne).
CLIENT_FRAME_MAX_BYTES = 4096


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


def command(
    *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info"
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "kierratys.server:application",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--lifespan",
        "off",  # the Django application has no startup or shutdown hooks
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
        "--log-level",
        log_level,
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kierratys.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    argv = command(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
