"""Browser journeys: Debian's Chromium, driven by Playwright, against the real ASGI server.

One server (the production command in a subprocess, websockets included) and one
Chromium serve the whole `tests/browser` package; every test gets new browser contexts
(fresh cookies) and a database that pytest-django flushes after it. A journey:

    pytestmark = pytest.mark.browser

    def test_something(phone_page, demo_accounts, login, axe_check, screenshot):
        login(phone_page, "lister@demo.example")      # the form, demo password
        phone_page.goto("/listings/")                 # relative to the live server
        screenshot(phone_page, "catalogue-phone")     # screenshots/catalogue-phone.png
        axe_check(phone_page)                         # fails on serious/critical WCAG A/AA

Pages: `page` and `desktop_page` (1280x900), `phone_page` (390x844, touch), or
`new_page("phone" | "desktop", locale=..., **context_options)` for several per test.
Data: make it with factories or services as usual; it is committed (`transactional_db`)
so the server sees it. `demo_accounts` seeds the demo organisation and its four accounts;
`force_login(page, user)` signs a context in without the form. Code that publishes live
events must run through `helpers.in_worker_thread` (see there). `sent_mail()` returns the
emails the server sent in this test. `live_asgi_server` is the base URL.

Database: on PostgreSQL the server uses pytest-django's test database. The embedded
SQLite default tests on an in-memory database, which another process cannot open; so
when this package is collected (and Chromium exists) the SQLite test database becomes a
file in a temporary folder for the whole run. Django creates and deletes it as usual.
"""

import atexit
import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from ..support.servers import AsgiServer, database_url, sqlite_in_memory
from . import helpers

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
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

DEFAULT_TIMEOUT_MS = 10_000


# A test database the server process can open (see the module docstring). This runs at
# collection, before pytest-django creates the test database. Nothing changes on
# PostgreSQL, when a file-based TEST NAME is configured already, or without Chromium.
_default_db = settings.DATABASES["default"]
if (
    _default_db["ENGINE"] == "django.db.backends.sqlite3"
    and CHROMIUM.exists()
    and sqlite_in_memory(_default_db.get("TEST", {}).get("NAME"))
):
    _SQLITE_DIR = tempfile.mkdtemp(prefix="kierratys-browser-")
    atexit.register(shutil.rmtree, _SQLITE_DIR, ignore_errors=True)
    _default_db.setdefault("TEST", {})["NAME"] = f"{_SQLITE_DIR}/test.sqlite3"


# The storage the server uses: the configured one, before any test gives itself another.
_SERVER_DEFAULT_STORAGE = copy.deepcopy(settings.STORAGES["default"])


# --- Package-wide set-up ----------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def _sync_db_calls_beside_playwright():
    """Let Django's sync ORM run in the test thread while Playwright's sync API is active.

    Playwright's sync API drives an asyncio loop from a greenlet in the main thread and
    leaves that loop marked as running between calls, so Django's async-safety guard
    would raise SynchronousOnlyOperation for every factory, flush or query in a browser
    test. The guard protects against blocking an event loop; this loop only waits for
    the browser, and nothing else runs on it. The override is limited to this package
    and removed afterwards, so async tests elsewhere keep Django's guard.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class LiveServer(str):
    """The server's base URL (a plain string), plus where its log and emails go."""

    log_path: Path
    mail_dir: Path
    media_dir: Path


@pytest.fixture(scope="package")
def live_asgi_server(django_db_setup, django_db_blocker, tmp_path_factory) -> LiveServer:
    """Base URL of the production server command (HTTP and websockets) on the test database.

    The test run's environment (REDIS_URL, AWS_*, ...) with DEBUG on, so WhiteNoise
    serves static files from the app folders; SITE_URL is the server; emails are written
    to files (`sent_mail`). The server's log is at `.log_path`.
    """
    with django_db_blocker.unblock():
        try:
            database = database_url()
        except LookupError as why:
            pytest.skip(f"browser tests need a test database the server process can open: {why}")
    folder = tmp_path_factory.mktemp("browser-server")
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    with AsgiServer(
        log=folder / "server.log",
        DATABASE_URL=database,
        MEDIA_ROOT=str(folder / "media"),
        EMAIL_URL=f"filemail://{mail_dir}",
        PYTHONUNBUFFERED="1",
    ) as server:
        live = LiveServer(server.base)
        live.log_path = server.log
        live.mail_dir = mail_dir
        live.media_dir = folder / "media"
        yield live


@pytest.fixture(scope="package")
def browser(_sync_db_calls_beside_playwright, django_db_setup):
    """One headless Chromium for the package."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps database connections in asgiref's thread-critical Local: one set per
    # thread while no event loop runs, another (per context) while one does. Playwright's
    # loop counts as running between sync calls, so browser tests get new connection
    # objects. Close the old ones (or dropping the PostgreSQL test database at the end
    # fails), and give the new ones the data pytest-django serialized at set-up, which
    # `browser_db` restores before each test.
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


# --- Per test ---------------------------------------------------------------------------


@pytest.fixture
def browser_db(transactional_db, django_db_serialized_rollback):
    """Committed data the server can see, starting from the migrated state.

    Transactional tests end with a flush, which also deletes the rows the data
    migrations made (role groups, their permissions, categories). Serialized rollback
    restores them before each test, so roles behave as in production.
    """


@pytest.fixture
def new_page(browser, live_asgi_server, browser_db):
    """Factory: `new_page("phone")`, `new_page("desktop", locale="sv-SE")`.

    Each call opens a new browser context (own cookies and storage; Finnish by default)
    whose relative URLs go to the live server; `via=` another browser (`camera_browser`)
    opens it there. Uncaught JavaScript errors, missing
    static files and server errors (5xx) fail the test, with the server's log meanwhile.
    """
    contexts = []
    problems = []
    for message in live_asgi_server.mail_dir.iterdir():
        message.unlink()
    log_offset = live_asgi_server.log_path.stat().st_size

    def on_response(response):
        if response.status >= 500 or (response.status >= 400 and "/static/" in response.url):
            problems.append(f"{response.status} for {response.request.method} {response.url}")

    def make(size: str = "desktop", *, locale: str = "fi-FI", via=None, **options):
        context = (via or browser).new_context(
            base_url=live_asgi_server, locale=locale, **{**SIZES[size], **options}
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("response", on_response)
        return page

    yield make
    for context in contexts:
        context.close()
    if problems:
        with live_asgi_server.log_path.open() as log:
            log.seek(log_offset)
            server_log = log.read()[-6000:]
        pytest.fail("\n".join([*problems, "Server log meanwhile:", server_log]), pytrace=False)


@pytest.fixture
def camera_browser(browser):
    """Factory: `camera_browser(video)` is a second Chromium whose camera shows `video`.

    Chromium's fake capture device plays the file (YUV4MPEG2, see `helpers.write_y4m`) in
    a loop, and camera permission is granted without asking, so a page's getUserMedia,
    <video> and the scanning code run as they would on a phone. Open pages in it with
    `new_page(..., via=camera)`. It is closed after the test.
    """
    launched = []

    def launch(video: Path):
        camera = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
            headless=True,
        )
        launched.append(camera)
        return camera

    yield launch
    for camera in launched:
        for context in camera.contexts:
            context.close()
        camera.close()


@pytest.fixture
def page(new_page):
    """A desktop page (1280x900)."""
    return new_page("desktop")


@pytest.fixture
def desktop_page(new_page):
    """A desktop page (1280x900)."""
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


@pytest.fixture
def server_media(settings, live_asgi_server):
    """Photos made in the test process (factories, services) land where the server serves them.

    The suite gives every test its own MEDIA_ROOT (and on S3 its own key prefix), which the
    server does not know; this points the test's storage at the server's: its media folder,
    or the bucket's configured location.
    """
    settings.MEDIA_ROOT = live_asgi_server.media_dir
    if settings.AWS_STORAGE_BUCKET_NAME:
        settings.STORAGES = {**settings.STORAGES, "default": _SERVER_DEFAULT_STORAGE}
    return live_asgi_server.media_dir


@pytest.fixture(name="login")
def login_fixture():
    """`login(page, email, password="kierratys-demo")` through the sign-in form."""
    return helpers.login


@pytest.fixture(name="force_login")
def force_login_fixture(live_asgi_server):
    """`force_login(page, user)`: the page's context is signed in as `user`, no form."""
    return lambda page, user: helpers.force_login(page, user, live_asgi_server)


@pytest.fixture(name="sent_mail")
def sent_mail_fixture(live_asgi_server):
    """`sent_mail()`: the emails the server sent during this test, as raw text."""
    return lambda: helpers.sent_mail(live_asgi_server)


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    """`axe_check(page)`: fails on serious or critical WCAG 2.1 A/AA violations."""
    return helpers.axe_check


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    """`screenshot(page, name)`: a full-page PNG in screenshots/ at the repository root."""
    return helpers.screenshot
