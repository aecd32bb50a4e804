"""The progressive JavaScript under static/js/ takes its addresses and close codes from the
server, never swallows a failure, and each template gives its script what it reads.

The greps keep hard-coded paths, close codes and do-nothing `catch` blocks from coming
back; the rendered pages prove the values really reach the scripts' tags.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import resolve

from kierratys import consumers

from ..factories import ListingFactory

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))
APPS = ("kierratys", "listings", "reservations", "inventory")
# Every templates folder, sub-packages' too (kierratys/accounts/sso/templates, ...).
TEMPLATES = sorted(path for app in APPS for path in (ROOT / app).rglob("templates/**/*.html"))
# Scripts a form widget brings along (its Media), not a template's tag.
MEDIA_SCRIPT = re.compile(r"[\'\"]js/([\w-]+\.js)[\'\"]")
# On every signed-in page, with the announcements banner (kierratys/announcements).
ANNOUNCEMENTS = {"live-announcements.js"}
SCRIPT_TAG = re.compile(r"<script\b[^>]*\bsrc=\"\{% static 'js/([\w-]+\.js)' %\}\"[^>]*>")


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_there_are_scripts_to_check():
    assert {p.name for p in SCRIPTS} >= {"live.js", "catalogue.js", "scan.js"}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
@pytest.mark.parametrize("fragment", ["/ws/", "/listings/", "/inventory/", "/reservations/"])
def test_no_script_hard_codes_an_address_of_the_site(path, fragment):
    """Addresses come from `{% url %}` in data attributes, so a moved URL cannot break a page."""
    assert fragment not in source(path)


# Websocket close codes the server may send: 1001-1015 (the protocol's) and 4000-4999 (ours).
CLOSE_CODE = re.compile(r"(?<![\w.])(100[1-9]|101[0-5]|4\d{3})(?![\w.])")


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_script_hard_codes_a_close_code(path):
    """The codes come from kierratys/consumers.py through the live script's tag."""
    assert CLOSE_CODE.findall(source(path)) == []


def _block(text: str, start: int) -> str:
    """The text inside the braces that open at or after `start`."""
    opening = text.index("{", start)
    depth = 0
    for at in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[at], 0)
        if depth == 0:
            return text[opening + 1 : at]
    raise AssertionError("unbalanced braces")


def _without_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)


DOES_NOTHING = re.compile(r"\s*(return\s*(null|undefined|false|void 0)?\s*;?\s*)?")
CATCH_BLOCK = re.compile(r"(?<!\.)\bcatch\s*(\([^)]*\))?\s*\{")  # try { } catch (e) { ... }
CATCH_FUNCTION = re.compile(
    r"\.catch\(\s*(async\s*)?function\b[^{]*\{|\.catch\(\s*\(?[\w\s]*\)?\s*=>"
)


def catches_that_do_nothing(text: str) -> list[str]:
    text = _without_comments(text)
    found = []
    for match in CATCH_BLOCK.finditer(text):
        if DOES_NOTHING.fullmatch(_block(text, match.start())):
            found.append(match.group(0))
    for match in CATCH_FUNCTION.finditer(text):
        if match.group(0).endswith("=>"):
            rest = text[match.end() :].lstrip()
            body = _block(rest, 0) if rest.startswith("{") else rest.split(")", 1)[0]
            if DOES_NOTHING.fullmatch(body) or body.strip() in {"null", "undefined", "false"}:
                found.append(match.group(0))
        elif DOES_NOTHING.fullmatch(_block(text, match.end() - 1)):
            found.append(match.group(0))
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "try { a(); } catch (e) {}",
        "try { a(); } catch {  }",
        "try { a(); } catch (e) { return; }",
        "try { a(); } catch (e) { /* ignore */ }",
        "p.catch(function () {});",
        "p.catch(function (error) { return null; });",
        "p.catch(function () {\n  // nothing to do\n});",
        "p.catch(() => {});",
        "p.catch((e) => null);",
        "p.catch(e => undefined);",
    ],
)
def test_the_catch_check_finds_catches_that_do_nothing(snippet):
    assert catches_that_do_nothing(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "try { a(); } catch (e) { b = null; }",
        "p.catch(function () { live.warn(tag.failed); });",
        "p.catch(fallBack);",
        "p.catch((e) => show(e));",
    ],
)
def test_the_catch_check_lets_real_handling_through(snippet):
    assert catches_that_do_nothing(snippet) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_script_has_a_catch_that_does_nothing(path):
    assert catches_that_do_nothing(source(path)) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_fetch_checks_the_response(path):
    """A 500 or a 404 is a failure the page handles, not an empty answer it swallows."""
    text = _without_comments(source(path))
    for match in re.finditer(r"(?<![\w.])fetch\(", text):
        chain = text[match.start() : match.start() + 400]
        assert re.search(r"\.ok\b", chain), f"{path.name}: a fetch() that never reads .ok"


def script_tags() -> list[tuple[Path, str, str]]:
    return [
        (template, match.group(1), match.group(0))
        for template in TEMPLATES
        for match in SCRIPT_TAG.finditer(source(template))
    ]


def test_every_script_is_included_and_every_included_script_exists():
    included = {name for _template, name, _tag in script_tags()}
    included |= {
        name
        for app in APPS
        for module in (ROOT / app).rglob("*.py")
        for name in MEDIA_SCRIPT.findall(source(module))
    }
    assert included == {p.name for p in SCRIPTS}


def _attribute(name: str) -> str:
    return "data-" + re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)


@pytest.mark.parametrize("template,name,tag", script_tags(), ids=lambda v: getattr(v, "name", ""))
def test_each_script_tag_carries_everything_its_script_reads(template, name, tag):
    """Scripts read their texts, addresses and codes from `tag.<name>`: data-<name> here."""
    reads = set(re.findall(r"\btag\.(\w+)", source(ROOT / "static" / "js" / name)))
    missing = {_attribute(read) for read in reads if f"{_attribute(read)}=" not in tag}
    assert not missing, f"{template.relative_to(ROOT)}: {name} lacks {sorted(missing)}"


class ScriptTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_name: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.by_name[attrs["src"].rsplit("/", 1)[-1]] = attrs


def rendered_script_tags(response) -> dict[str, dict]:
    assert response.status_code == 200
    parser = ScriptTags()
    parser.feed(response.content.decode())
    return parser.by_name


@pytest.mark.django_db
def test_the_live_script_gets_the_socket_address_and_close_codes_from_the_server(staff_client):
    live = rendered_script_tags(staff_client.get("/listings/"))["live.js"]
    assert live["data-url"] == "/ws/live/"  # kierratys/routing.py
    assert int(live["data-close-regroup"]) == consumers.CLOSE_REGROUP
    assert int(live["data-close-signed-out"]) == consumers.CLOSE_SIGNED_OUT
    assert int(live["data-close-too-slow"]) == consumers.CLOSE_TOO_SLOW
    assert int(live["data-close-too-many"]) == consumers.CLOSE_TOO_MANY


@pytest.mark.django_db
def test_signed_out_pages_have_no_live_script(client):
    assert "live.js" not in rendered_script_tags(client.get("/accounts/login/"))


@pytest.mark.django_db
def test_the_catalogue_gets_the_card_address_from_the_server(staff_client, staff_user):
    listing = ListingFactory(owner_unit=staff_user.unit, created_by=staff_user)
    cards = rendered_script_tags(staff_client.get("/listings/"))["live-cards.js"]
    pattern = cards["data-card-url"]
    at = pattern.rindex("/0/")  # what live-cards.js replaces with the listing's id
    url = f"{pattern[:at]}/{listing.pk}/{pattern[at + 3 :]}"
    assert resolve(url).url_name == "card"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert f'data-listing-id="{listing.pk}"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page,scripts",
    [
        (
            "/listings/",
            {
                "live.js",
                "live-notices.js",
                "live-regions.js",
                "live-counts.js",
                "live-cards.js",
                "catalogue.js",
                "menu.js",
                "language-keep.js",
            }
            | ANNOUNCEMENTS,
        ),
        (
            "/listings/mine/",
            {
                "live.js",
                "live-notices.js",
                "live-counts.js",
                "menu.js",
                "language-keep.js",
                "bulk-select.js",
            }
            | ANNOUNCEMENTS,
        ),
        (
            "/reservations/",
            {"live.js", "live-notices.js", "live-regions.js", "menu.js", "language-keep.js"}
            | ANNOUNCEMENTS,
        ),
    ],
)
def test_each_page_loads_the_scripts_for_what_it_does(staff_client, page, scripts):
    assert set(rendered_script_tags(staff_client.get(page))) == scripts


@pytest.mark.django_db
def test_the_item_page_loads_its_own_live_scripts(staff_client, staff_user):
    listing = ListingFactory()
    scripts = set(rendered_script_tags(staff_client.get(listing.get_absolute_url())))
    assert (
        scripts
        == {
            "live.js",
            "live-notices.js",
            "live-regions.js",
            "live-counts.js",
            "live-listing.js",
            "gallery.js",
            "reserve-form.js",
            "menu.js",
            "language-keep.js",
        }
        | ANNOUNCEMENTS
    )
