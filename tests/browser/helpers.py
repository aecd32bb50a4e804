"""Helpers for browser journeys. The fixtures in conftest.py offer most of them too."""

import json
import threading
from pathlib import Path

import pytest
from django.conf import settings

from kierratys.demo import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})


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
        page.add_script_tag(path=str(AXE_JS))
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
    uses `async_to_sync` there fails; `kierratys.live.send_event` then only logs a
    warning and the event never leaves. Call services that publish live events (or
    anything else that needs `async_to_sync`) through this. The thread uses its own
    database connection; with autocommit, what it writes is visible to the test and the
    server once it returns.
    """
    from django.db import connections

    outcome = {}

    def run():
        try:
            outcome["result"] = function(*args, **kwargs)
        except BaseException as error:  # re-raised in the test thread
            outcome["error"] = error
        finally:
            connections.close_all()

    worker = threading.Thread(target=run, name="browser-test-worker")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
