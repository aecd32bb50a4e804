"""Helpers for browser journeys. The fixtures in conftest.py offer most of them too."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from kierratys.demo import DEMO_PASSWORD

from ..support.threads import in_thread

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})

# The demo accounts (kierratys/demo.py), all with the password in README.md.
LISTER = "lister@demo.example"
RESERVER = "reserver@demo.example"
WAREHOUSE = "warehouse@demo.example"
COORDINATOR = "coordinator@demo.example"


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait until the account menu shows."""
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.locator(".account-menu").wait_for()


def force_login(page, user, base_url: str) -> None:
    """Sign `user` in without the form or a password: a session cookie for `base_url`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def sent_mail(server) -> list[str]:
    """The emails the live server sent during this test, oldest first, as raw text."""
    files = sorted(server.mail_dir.iterdir(), key=lambda path: path.stat().st_mtime_ns)
    return [path.read_text() for path in files]


def axe_check(page, *, context: str | None = None, fail_on=AXE_FAILING_IMPACTS) -> list[dict]:
    """Run axe-core (vendored) for WCAG 2.0/2.1 A and AA on the page, or on `context`.

    Fails listing every violation whose impact is in `fail_on`, and returns all of them
    so a test can look at the lesser ones too.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the pages' Content-Security-Policy rightly
        # blocks inline script, and evaluation from the test is not subject to it.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    violations = page.evaluate(
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
    failing = [v for v in violations if v["impact"] in fail_on]
    if failing:
        lines = [f"axe: {len(failing)} serious/critical violation(s) on {page.url}"]
        for violation in failing:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"]:
                lines.append(f"  at {json.dumps(node['target'])}: {node['summary']}")
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as screenshots/<name>.png at the repository root."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def in_worker_thread(function, /, *args, **kwargs):
    """Call `function` in a short-lived thread and return its result (or raise its error).

    Playwright keeps an event loop marked as running in the test thread, so code that
    uses `async_to_sync` there fails; `kierratys.live.send_events` then only logs a
    warning and the event never leaves. Call services that publish live events (or
    anything else that needs `async_to_sync`) through this. The thread uses its own
    database connection; with autocommit, what it writes is visible to the test and the
    server once it returns.
    """
    return in_thread(function, *args, **kwargs)


# --- Journeys -------------------------------------------------------------------------------

LOCALE_DIR = REPO / "locale"
_CATALOGUES: dict[str, dict[str, str]] = {}


def translated(language: str, msgid: str) -> str:
    """The msgstr of `msgid` in locale/<language>/LC_MESSAGES/django.po, as the UI shows it.

    Read from the .po file (not through gettext), so a string that is missing or fuzzy
    there fails here instead of silently matching the English text. English may leave a
    msgstr empty, which means the msgid itself.
    """
    if language not in _CATALOGUES:
        import polib

        po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
        _CATALOGUES[language] = {
            entry.msgid: entry.msgstr
            for entry in po
            if not entry.obsolete and not entry.fuzzy and not entry.msgid_plural
        }
    text = _CATALOGUES[language].get(msgid, "")
    if not text and language == "en":
        return msgid
    if not text:
        pytest.fail(f"no {language} translation for {msgid!r} in django.po", pytrace=False)
    return text


def switch_language(page, language: str) -> None:
    """Choose `language` with the header's language buttons and wait for the page in it."""
    from playwright.sync_api import expect

    button = page.locator(f".lang-switch button[value={language}]")
    if button.get_attribute("aria-current") != "true":
        open_menu(page)  # on a phone the languages are in the header's menu
        button.click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def open_menu(page) -> None:
    """Open the header's menu if it is closed (a phone): its navigation and languages show."""
    # static/js/menu.js (deferred) opens the menu on wide screens: wait until it has run,
    # or a wide page's hidden menu button would be clicked.
    page.wait_for_load_state("domcontentloaded")
    menu = page.locator("details[data-site-menu]")
    if menu.count() and not menu.evaluate("details => details.open"):
        menu.locator("summary").click()


def follow_nav(page, key: str) -> None:
    """Click the main navigation's entry `key` (data-nav), through the menu on a phone."""
    open_menu(page)
    page.locator(f"nav a[data-nav={key}]").click()


def focused(page) -> dict:
    """What has the keyboard focus: tag, id, name, class, href."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                cls: el.className, href: el.getAttribute('href')};
    }""")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{limit} presses of Tab never reached {selector}; stuck at {focused(page)}")


def focus_indicator(page) -> dict:
    """The focused element's outline and box shadow, as computed."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                boxShadow: style.boxShadow, visible: el.matches(':focus-visible')};
    }""")


def assert_focus_visible(page) -> None:
    """The focused element shows a focus indicator (an outline or a box shadow)."""
    style = focus_indicator(page)
    outlined = style["outlineStyle"] != "none" and style["outlineWidth"] not in ("0px", "")
    shadowed = style["boxShadow"] not in ("none", "")
    assert style["visible"] and (outlined or shadowed), (
        f"no visible focus on {focused(page)}: {style}"
    )


def mark_document(page) -> None:
    """Mark the current document, to prove later that it was not reloaded or left."""
    page.evaluate("window.__journeyMarker = 'still here'")


def assert_same_document(page) -> None:
    assert page.evaluate("window.__journeyMarker") == "still here", (
        f"the page was reloaded or left (now at {page.url})"
    )


def wait_for_live_socket(page) -> None:
    """Wait until live.js shows the socket as connected (the header's live dot)."""
    page.locator("[data-live-indicator][data-state=live]").wait_for(state="attached")


def jpeg_files(folder: Path, count: int) -> list[Path]:
    """`count` distinct JPEG photos written to `folder`."""
    from ..images import jpeg_bytes

    colours = [(180, 120, 60), (60, 140, 180), (90, 170, 90), (200, 80, 120)]
    paths = []
    for n in range(count):
        path = folder / f"photo-{n + 1}.jpg"
        path.write_bytes(jpeg_bytes(size=(800, 600), colour=colours[n % len(colours)]))
        paths.append(path)
    return paths


def decode_qr(locator) -> list[str]:
    """The texts of the QR codes in a screenshot of `locator` (zxing-cpp)."""
    from io import BytesIO

    import zxingcpp
    from PIL import Image, ImageOps

    image = Image.open(BytesIO(locator.screenshot())).convert("L")
    image = ImageOps.expand(image, border=40, fill=255)  # a generous quiet zone
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def write_y4m(images, path: Path, *, size=(640, 480), frames: int = 2) -> Path:
    """`images` (one PIL image or several) centred on white, as a YUV4MPEG2 video for
    Chromium's fake camera: each shown for `frames` frames, in turn, looped by Chromium.

    4:2:0 frames: the luma plane is the picture in grey, the two chroma planes neutral.
    """
    from PIL import Image

    width, height = size
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for image in images if isinstance(images, list | tuple) else [images]:
            canvas = Image.new("L", size, 255)
            picture = image.convert("L")
            canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
            for _ in range(frames):
                video.write(b"FRAME\n" + canvas.tobytes() + chroma)
    return path


def label_camera_video(page, listing, folder: Path, base_url: str) -> tuple[Path, str]:
    """The item's printed label as a phone camera sees it: (a y4m video, the QR's text).

    `page` (signed in on the owner side) opens the label page; its QR code, as drawn
    there, is enlarged and put on a white camera frame, at two sizes in turn as a hand
    moves: ZXing's JavaScript decoder misses a few codes at one exact size and position
    (about 3%, by their content), never at both.
    """
    from io import BytesIO

    import zxingcpp
    from PIL import Image, ImageOps

    page.goto(f"/listings/{listing.pk}/label/")
    drawn = Image.open(BytesIO(page.locator(".label .qr").screenshot())).convert("L")
    url = f"{base_url}/listings/{listing.pk}/"
    views = []
    for scale in (2, 3):
        qr = drawn.resize((drawn.width * scale, drawn.height * scale), Image.Resampling.NEAREST)
        qr = ImageOps.expand(qr, border=24, fill=255)
        qr.thumbnail((620, 460), Image.Resampling.NEAREST)  # stays inside the camera frame
        found = [code.text for code in zxingcpp.read_barcodes(qr)]
        assert found == [url], f"the label's QR code reads {found}, not {url}"
        views.append(qr)
    return write_y4m(views, folder / f"label-{listing.pk}.y4m", frames=5), url


def scan_to_confirm(page, button_name: str, timeout_ms: int = 10_000):
    """Press the handover page's scan button and wait until scan.js posts the form.

    Returns the POST's response. Fails with what the scanner said if nothing is posted.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    def posted(response) -> bool:
        return response.request.method == "POST" and "/handover/" in response.url

    try:
        with page.expect_response(posted, timeout=timeout_ms) as answer:
            page.get_by_role("button", name=button_name).click()
    except PlaywrightTimeoutError:
        scanner = page.evaluate("""() => {
            const video = document.querySelector('[data-scan-video]');
            let frame = null;
            if (video && video.videoWidth) {
                const canvas = document.createElement('canvas');
                canvas.width = video.videoWidth; canvas.height = video.videoHeight;
                canvas.getContext('2d').drawImage(video, 0, 0);
                frame = canvas.toDataURL('image/png');
            }
            return {status: document.querySelector('[data-scan-status]')?.textContent,
                    video: video && [video.hidden, video.readyState, video.videoWidth],
                    code: document.querySelector('[name=scanned_code]')?.value, frame};
        }""")
        frame = scanner.pop("frame")
        if frame:
            import base64

            SCREENSHOTS.mkdir(exist_ok=True)
            (SCREENSHOTS / "scan-failed-camera-frame.png").write_bytes(
                base64.b64decode(frame.split(",", 1)[1])
            )
            scanner["frame"] = "screenshots/scan-failed-camera-frame.png"
        pytest.fail(f"the scanner posted nothing in {timeout_ms} ms: {scanner}", pytrace=False)
    return answer.value


def fi(msgid: str) -> str:
    """The Finnish text of `msgid`, as the UI shows it."""
    return translated("fi", msgid)
