"""Shared benchmark helpers: the production server and gunicorn in subprocesses, and wrk."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELLO = "/bench/hello/"
# The bare hello's settings: no middleware, one URL (bench/_hello_settings.py).
HELLO_SETTINGS = "bench._hello_settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The benchmark process signs sessions for the servers it starts: one secret for both.
BENCH_SECRET_KEY = "bench-only-secret-key-" + "x" * 40


def server_env(**extra) -> dict:
    """DEBUG off, as in production, but plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="kierratys.settings",
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        BENCH_VIEWS="true",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@contextmanager
def _processes(commands: list[list[str]], urls: list[str], env: dict, name: str):
    """Start the commands, wait until every URL answers /healthz, stop them at the end.
    Their output goes to a temporary log file (named in the error when one does not start)."""
    procs = []
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the servers' whole life
        prefix=f"kierratys-bench-{name}-", suffix=".log", delete=False
    )
    try:
        for command in commands:
            procs.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        for url in urls:
            wait_until_up(url, log.name)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@contextmanager
def production_server(
    processes: int = 1, *, workers: int = 1, settings: str = "kierratys.settings", **env
):
    """The production server command (`kierratys.server.command`, what `python -m
    kierratys.server` runs) in `processes` processes, each on its own port and with
    `--workers` `workers`; yields their base URLs. `settings`: the Django settings module
    (HELLO_SETTINGS for the bare hello)."""
    from kierratys import server

    ports = [free_port() for _ in range(processes)]
    more = {"workers": workers} if workers != 1 else {}
    commands = [server.command(port=port, log_level="warning", **more) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    with _processes(
        commands, urls, server_env(DJANGO_SETTINGS_MODULE=settings, **env), "server"
    ) as up:
        yield up


asgi_server = production_server  # its earlier name


@contextmanager
def gunicorn_server(workers: int = 1, *, settings: str = HELLO_SETTINGS, **env):
    """Sync gunicorn (one request at a time per worker process, no event loop, no threads)
    serving Django's WSGI handler: the fastest way this machine serves a Django page.
    Yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "django.core.wsgi:get_wsgi_application()",
        "--worker-class",
        "sync",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    url = f"http://127.0.0.1:{port}"
    with _processes(
        [command], [url], server_env(DJANGO_SETTINGS_MODULE=settings, **env), "gunicorn"
    ) as (up,):
        yield up


@contextmanager
def hello_servers(workers: int = 1):
    """The two baselines' servers, both serving the bare hello (HELLO_SETTINGS) with
    `workers` processes: {"bare": production server's hello URL, "gunicorn": gunicorn's}."""
    with (
        production_server(workers=workers, settings=HELLO_SETTINGS) as urls,
        gunicorn_server(workers) as gunicorn,
    ):
        yield {"bare": urls[0] + HELLO, "gunicorn": gunicorn + HELLO}


def wait_until_up(url: str, log_name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # loopback only
            return
        except urllib.error.HTTPError:
            return  # it answers (a 503 health check is still a server that is up)
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start; its log: {log_name}")


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: dict | None = None,
    script: str | None = None,
    timeout: int = 10,
) -> dict:
    """Run wrk (one thread) against one URL: requests/s, latency percentiles in ms, and the
    responses that were not 2xx/3xx plus socket errors. A page slower than `timeout`
    seconds counts as an error. `script`: a wrk Lua script (e.g. a cookie per request)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", f"{timeout}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {}
    for p in ("50", "99"):
        found = re.search(rf"\s{p}(?:\.000)?%\s+([\d.]+\w+)", output)
        latency[p] = _ms(found.group(1)) if found else None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
        # Sync gunicorn closes every connection after its answer: wrk counts the reads it
        # had queued on them as read errors, harmless. Connect errors and timeouts are not.
        "socket_errors": (int(failed.group(1)) + int(failed.group(4))) if failed else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def status(url: str, headers: dict | None = None) -> int:
    """The status of one GET, redirects not followed."""
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        return opener.open(request, timeout=30).status  # loopback only
    except urllib.error.HTTPError as error:
        return error.code


_status = status  # its earlier name


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
