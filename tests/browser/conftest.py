"""Browser journeys: Debian's Chromium, driven by Playwright, against the real ASGI server.

One daphne server (a subprocess, websockets included) and one Chromium serve the whole
`tests/browser` package; every test gets a new browser context (fresh cookies) and a
database that pytest-django flushes after it. Writing a journey:

    pytestmark = pytest.mark.browser

    def test_something(phone_page, demo_accounts, login, axe_check, screenshot):
        login(phone_page, "lister@demo.example")      # demo password, waits for the home page
        phone_page.goto("/some/page/")                # relative to the live server
        axe_check(phone_page)                         # fails on serious/critical WCAG 2.1 A/AA
        screenshot(phone_page, "some-page-phone")     # screenshots/some-page-phone.png

Data must be committed for the server to see it, so browser tests use `transactional_db`
(the page fixtures ask for it). Model factories and services work as in any test.

Database: on PostgreSQL the server uses pytest-django's test database. On the embedded
SQLite default the test database is normally in memory, which another process cannot
open; so when this package is collected (and Chromium exists) the SQLite test database
becomes a file in a temporary folder for the whole run. Django creates and deletes it as
usual; only its location changes.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from kierratys.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

SERVER_START_TIMEOUT = 30  # seconds
DEFAULT_TIMEOUT_MS = 10_000


def _on_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def _sqlite_test_db_in_memory(name) -> bool:
    return not name or name == ":memory:" or "mode=memory" in str(name)


# A test database the server subprocess can open (see the module docstring). This runs at
# collection, before pytest-django creates the test database. Nothing changes when an explicit
# file-based TEST NAME is configured already, or when the browser tests would skip anyway.
if (
    _on_sqlite()
    and CHROMIUM.exists()
    and _sqlite_test_db_in_memory(settings.DATABASES["default"].get("TEST", {}).get("NAME"))
):
    _SQLITE_DIR = Path(tempfile.mkdtemp(prefix="kierratys-browser-"))
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(_SQLITE_DIR / "test.sqlite3")


@pytest.fixture(scope="package", autouse=True)
def _sync_db_calls_beside_playwright():
    """Let Django's sync ORM run in the test thread while Playwright's sync API is active.

    Playwright's sync API drives an asyncio loop from a greenlet in the main thread and
    leaves that loop marked as running between calls, so Django's async-safety guard
    would raise SynchronousOnlyOperation for every factory, flush or query in a browser
    test. The guard protects against blocking an event loop; here that loop only waits
    for the browser, and nothing else runs on it. The override is limited to this
    package and removed afterwards, so async tests elsewhere keep Django's guard.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package", autouse=True)
def _hash_each_password_once():
    """Accounts made in the browser tests cost one password hash per password, not per user."""
    from django.test import override_settings

    hasher = f"{__package__}.hashers.HashOncePasswordHasher"
    with override_settings(PASSWORD_HASHERS=[hasher]):
        yield


def _database_url() -> str:
    """The test database, as a DATABASE_URL for the server subprocess."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if _sqlite_test_db_in_memory(name):
            pytest.skip(
                "browser tests need a test database the server process can open; this "
                "SQLite test database is in memory (set a file-based TEST NAME)"
            )
        return f"sqlite:///{Path(name).resolve()}"
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(f"browser tests do not know how to share a {db['ENGINE']} database")
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'], safe='')}"


def _wait_for_server(process, log_path: Path) -> str:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    base_url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if base_url is None:
            match = re.search(r"Listening on TCP address ([\d.]+):(\d+)", log_path.read_text())
            if match:
                base_url = f"http://{match[1]}:{match[2]}"
        if base_url:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return base_url
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.1)
    log_tail = "\n".join(log_path.read_text().splitlines()[-40:])
    raise RuntimeError(
        f"the ASGI server did not answer /healthz within {SERVER_START_TIMEOUT}s "
        f"(exit code {process.poll()}). Its log:\n{log_tail}"
    )


@pytest.fixture(scope="package")
def live_asgi_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """Base URL of daphne serving kierratys.asgi (HTTP and websockets) on the test database.

    The same environment as the test run (REDIS_URL, AWS_*, ...), DEBUG on so that
    WhiteNoise serves static files from the app folders, and a port the OS picks.
    The server's log is in the pytest temp folder (`browser-server*/daphne.log`).
    """
    with django_db_blocker.unblock():
        database_url = _database_url()
    folder = tmp_path_factory.mktemp("browser-server")
    log_path = folder / "daphne.log"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(folder / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-e",
                "tcp:port=0:interface=127.0.0.1",
                "kierratys.asgi:application",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield _wait_for_server(process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def browser(_sync_db_calls_beside_playwright, django_db_setup):
    """One headless Chromium for the package."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps database connections in asgiref's thread-critical Local, which holds
    # one set per thread while no event loop runs, and another set (per context) while one
    # does. Playwright's loop counts as running between sync calls, so the browser tests
    # get new connection objects: close the old ones (or dropping the test database at the
    # end could fail on PostgreSQL), and hand the new ones the data serialized at setup,
    # which `browser_db` needs to restore the migrations' rows.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    connections.close_all()
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            connections.close_all()
            chromium.close()


@pytest.fixture
def browser_db(transactional_db, django_db_serialized_rollback):
    """Committed data the server can see, starting from the migrated state.

    Transactional tests end with a flush, which also deletes the rows the data
    migrations made (the role groups and their permissions). Serialized rollback
    restores them before each test, so role checks behave as in production.
    """


@pytest.fixture
def new_page(browser, live_asgi_server, browser_db):
    """Factory: `new_page("phone")`, `new_page("desktop", locale="sv-SE")`.

    Each call opens a new browser context (own cookies and storage) whose relative
    URLs go to the live server. Uncaught JavaScript errors and failed static files fail
    the test.
    """
    contexts = []
    problems = []

    def make(size: str = "desktop", *, locale: str = "fi-FI", **options):
        context = browser.new_context(
            base_url=live_asgi_server, locale=locale, **{**SIZES[size], **options}
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} for {response.url}")
                if response.status >= 400 and "/static/" in response.url
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x900), Finnish browser."""
    return new_page("desktop")


@pytest.fixture
def desktop_page(new_page):
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page):
    """A phone: 390x844, mobile viewport, touch."""
    return new_page("phone")


@pytest.fixture
def demo_accounts(browser_db):
    """The demo organisation and its four accounts (password `kierratys-demo`), by email."""
    from kierratys.demo import seed_organisation

    return {user.email: user for user in seed_organisation()}


# --- Helpers: plain functions, also offered as fixtures -------------------------------------


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait until the account menu shows."""
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.locator(".account-menu").wait_for()


def axe_check(page, *, context: str | None = None, fail_on=AXE_FAILING_IMPACTS) -> list[dict]:
    """Run axe-core (vendored) for WCAG 2.0/2.1 A and AA on the page, or on `context`.

    Fails listing every violation whose impact is in `fail_on`; returns all violations
    so a test can look at the lesser ones too.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        """async ([context, tags]) => {
            const results = await axe.run(context || document,
                {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        [context, AXE_TAGS],
    )
    failing = [v for v in results if v["impact"] in fail_on]
    if failing:
        lines = [f"axe: {len(failing)} serious/critical violation(s) on {page.url}"]
        for violation in failing:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"]:
                lines.append(f"  at {json.dumps(node['target'])}: {node['summary']}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as screenshots/<name>.png at the repository root."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="login")
def login_fixture():
    return login


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    return axe_check


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    return screenshot
