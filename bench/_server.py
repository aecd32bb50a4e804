"""Shared benchmark helpers: a production-like ASGI server in a subprocess, and wrk."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
def asgi_server(processes: int = 1, **env):
    """Start the production server command (`kierratys.server`) in processes of its own,
    each on its own port; yields their base URLs. Their logs go to a temporary file."""
    from kierratys import server

    procs, urls = [], []
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the servers' whole life
        prefix="kierratys-bench-server-", suffix=".log", delete=False
    )
    try:
        for _ in range(processes):
            port = free_port()
            procs.append(
                subprocess.Popen(
                    server.command(port=port, log_level="warning"),
                    cwd=ROOT,
                    env=server_env(**env),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
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
        log.close()


def wait_until_up(url: str, log_name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # loopback only
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start; its log: {log_name}")


def wrk(url: str, *, seconds: int, connections: int, headers: dict | None = None) -> dict:
    """Run wrk against one URL; requests/s and latency percentiles in ms."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", output).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if "--latency" in command and _status(url, headers) != 200:
        raise SystemExit(f"{url} does not answer 200 for the benchmark's user")
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _status(url: str, headers: dict | None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        return opener.open(request, timeout=10).status  # loopback only
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
