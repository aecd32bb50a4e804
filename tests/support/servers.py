"""Real servers for cross-process tests: the production ASGI server on the test database,
a private Redis."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from kierratys import server

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30  # for the server to listen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def stop_process(process: subprocess.Popen) -> None:
    """Terminate, and kill what does not end within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A Redis of the test's own, on its own port, that the test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process:
            stop_process(self.process)
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def sqlite_in_memory(name) -> bool:
    return not name or name == ":memory:" or "mode=memory" in str(name)


def database_url() -> str:
    """The test database as a DATABASE_URL another process can open.

    Raises LookupError for an in-memory SQLite database, which no other process can open.
    """
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if sqlite_in_memory(db["NAME"]):
            raise LookupError("the SQLite test database is in memory: no other process sees it")
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise LookupError(f"another process cannot share a {db['ENGINE']} test database")
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'], safe='')}"


class AsgiServer:
    """The production server command (`kierratys.server`) in a process of its own.

    The test run's environment with DEBUG on, on the test database, with SITE_URL the
    server itself; keyword arguments override any of these. Its output goes to `log`
    (a temporary file unless given), and a server that fails to start says why from it.
    Use `with AsgiServer(...) as server:` or `start()` and `stop()`.
    """

    def __init__(self, *, log: Path | None = None, **env):
        inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "kierratys.settings",
            "DEBUG": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **env,
        }
        if "DATABASE_URL" not in env:
            self.env["DATABASE_URL"] = database_url()
        self.site_url = env.get("SITE_URL")
        self.own_log = log is None
        self.log = log or Path(tempfile.mkstemp(prefix="asgi-server-", suffix=".log")[1])
        self.port = free_port()
        self.process = None

    def start(self):
        """Start on a free port and wait until it listens; another port if that one got taken."""
        for _attempt in range(3):
            with self.log.open("a") as log:
                self.process = subprocess.Popen(
                    server.command(port=self.port, log_level="warning"),
                    cwd=ROOT,
                    env={**self.env, "SITE_URL": self.site_url or self.base},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline and self.process.poll() is None:
                if listening(self.port):
                    return self
                time.sleep(0.1)
            stop_process(self.process)
            if "Address already in use" not in self.output():
                break
            self.port = free_port()
        tail = "\n".join(self.output().splitlines()[-40:])
        raise RuntimeError(
            f"the ASGI server did not listen within {START_SECONDS}s "
            f"(exit code {self.process.returncode}). Its log:\n{tail}"
        )

    def stop(self):
        if self.process:
            stop_process(self.process)
            self.process = None
        if self.own_log:
            self.log.unlink(missing_ok=True)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def session_cookie_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "kierratys.accounts.backends.UnitAwareBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Browserless:
    """Plain HTTP with a session cookie and CSRF handling, the way a browser posts a form."""

    def __init__(self, base: str, session_key: str):
        self.base = base
        self.cookies = {"sessionid": session_key}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def _request(self, path, data=None):
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=20)
            status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, body.decode()

    def get(self, path):
        return self._request(path)

    def post_form(self, path, form_page, fields: dict):
        _status, html = self.get(form_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return self._request(path, urlencode({"csrfmiddlewaretoken": token, **fields}).encode())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
