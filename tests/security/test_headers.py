"""Response headers: a Content-Security-Policy without inline script or style, a
Permissions-Policy, signed-in pages never cached, and static files cached for good.

Every main page is rendered with the test client and must carry no inline script (only
`<script src>` and JSON data blocks), no inline event handler and no style attribute, or
the policy would break it in the browser.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from inventory import services as inventory_services
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE

from ..factories import ListingFactory, UserFactory, next_working_day, reserve, warehouse_with_slots
from ..support.servers import ROOT, AsgiServer


class InlineCode(HTMLParser):
    """Collects what a strict policy blocks: inline scripts, handlers, style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append(f"inline <script {attrs}>")
        if tag == "style":
            self.found.append("inline <style>")
        for name in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
        if tag == "a" and (attrs.get("href") or "").strip().lower().startswith("javascript:"):
            self.found.append("javascript: link")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages(db):
    """Every main page, with the account that sees it."""
    warehouse, _shelves, _slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    listing = ListingFactory(quantity=3)
    owner = UserFactory(unit=listing.owner_unit)
    reservation = reserve(listing)
    sofa = ListingFactory(owner_unit=owner.unit)
    task = inventory_services.intake_request(actor=owner, listing_id=sofa.pk)
    inventory_services.task_schedule(actor=driver, task_id=task.pk, day=next_working_day())
    coordinator = UserFactory(roles=[COORDINATOR], is_staff=True)
    staff = UserFactory()
    return {
        "catalogue": (staff, reverse("listings:catalogue")),
        "catalogue search": (staff, reverse("listings:catalogue") + "?q=tuoli"),
        "listing detail": (staff, reverse("listings:detail", args=[listing.pk])),
        "listing form": (owner, reverse("listings:create")),
        "listing edit": (owner, reverse("listings:edit", args=[listing.pk])),
        "label": (owner, reverse("listings:label", args=[listing.pk])),
        "my listings": (owner, reverse("listings:mine")),
        "reservations": (owner, reverse("reservations:list")),
        "handover": (owner, reverse("reservations:handover", args=[reservation.pk])),
        "slip": (owner, reverse("reservations:slip", args=[reservation.pk])),
        "task board": (driver, reverse("inventory:board")),
        "task": (driver, reverse("inventory:task", args=[task.pk])),
        "run sheet": (
            driver,
            reverse("inventory:run_sheet")
            + f"?warehouse={warehouse.pk}&date={next_working_day().isoformat()}",
        ),
        "reports": (coordinator, reverse("reports:index")),
        "notices": (staff, reverse("notices")),
        "login": (None, reverse("login")),
        "signup": (None, reverse("signup")),
        "password reset": (None, reverse("password_reset")),
    }


PAGE_NAMES = [
    "catalogue",
    "catalogue search",
    "listing detail",
    "listing form",
    "listing edit",
    "label",
    "my listings",
    "reservations",
    "handover",
    "slip",
    "task board",
    "task",
    "run sheet",
    "reports",
    "notices",
    "login",
    "signup",
    "password reset",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_has_a_strict_policy_and_no_inline_code(client, pages, name):
    user, url = pages[name]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert inline_code(response.text) == []

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    for directive in ("default-src", "script-src", "style-src", "img-src", "connect-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(
            policy[directive]
        ), directive
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]

    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert features["camera"] == "(self)"  # the QR scanner
    for feature in ("microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"

    if user is not None:
        assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_the_error_page_has_no_inline_code():
    assert inline_code(render_to_string("500.html")) == []


def test_the_live_texts_reach_the_script_as_data(client, staff_user):
    """What base.html used to put in an inline script is on live.js's tag now."""
    client.force_login(staff_user)
    html = client.get(reverse("listings:catalogue"), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'data-signed-out="Live updates off: you are no longer signed in.' in html
    assert "KIERRATYS_LIVE" not in html


def test_signed_in_pages_are_not_cached_even_on_errors(client, staff_user):
    client.force_login(staff_user)
    for url in ("/listings/999999/", "/reservations/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_static_files_are_not_marked_private(client, staff_user, signed_in):
    if signed_in:
        client.force_login(staff_user)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")


# --- production: hashed static files, cached for good and compressed ---------------------


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "test-secret-key-for-a-production-like-server-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
        "REDIS_URL": "",
        "STATIC_ROOT": str(folder / "static"),
    }
    server = AsgiServer(**env)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    # Migrated, as production is: the sign-in page lists the identity providers.
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrated.returncode == 0, migrated.stderr
    manifest = json.loads((folder / "static" / "staticfiles.json").read_text())["paths"]
    with server:
        yield server, manifest


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=20)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


@pytest.mark.parametrize("name", ["css/app.css", "js/live.js", "js/scan.js"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hashed_static_files_are_cached_for_good_and_compressed(production, name, encoding):
    server, manifest = production
    hashed = manifest[name]
    assert hashed != name
    status, headers, _body = fetch(
        f"{server.base}/static/{hashed}", **{"Accept-Encoding": encoding}
    )
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    cache = {d.strip() for d in headers["Cache-Control"].split(",")}
    assert {"max-age=315360000", "immutable"} <= cache
    assert "Accept-Encoding" in headers["Vary"]


def test_production_pages_link_hashed_files_and_carry_the_headers(production):
    server, manifest = production
    status, headers, body = fetch(f"{server.base}/accounts/login/")
    assert status == 200
    assert f"/static/{manifest['css/app.css']}" in body.decode()
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "camera=(self)" in headers["Permissions-Policy"]
