"""axe (WCAG 2.1 A and AA) on the legal pages (issue 23): every demo organisation's
accessibility statement, privacy notice and feedback form in Finnish, Swedish and English,
and the coordinator's feedback list with an overdue message; phone (390 px) and desktop
(1366 px). Also: feedback sent from the statement page by keyboard reaches the thank-you
page that names the answer date. Screenshots go to /work/shots/legal-*.png."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kierratys.accounts.models import Organisation
from kierratys.legal.demo import seed_legal
from kierratys.legal.models import AccessibilityFeedback, due_on_for

from .helpers import AXE_FAILING_IMPACTS, COORDINATOR, axe_check

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
SIZES = {
    "390": ("phone", {}),
    "1366": ("desktop", {"viewport": {"width": 1366, "height": 900}}),
}
LOCALES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}
PAGES = {
    "accessibility": "/{slug}/accessibility/",
    "privacy": "/{slug}/privacy/",
    "feedback": "/{slug}/accessibility/feedback/",
}


@pytest.fixture
def legal(demo_accounts):
    seed_legal()
    turku = Organisation.objects.get(slug="turku")
    received = timezone.now() - timedelta(days=20)
    AccessibilityFeedback.objects.create(
        organisation=turku,
        sender_email="kayttaja@example.com",
        message="Varauslomakkeen virheilmoitusta ei lueta ruudunlukijalla.",
        page_url="/listings/12/",
        received_at=received,
        due_on=due_on_for(received),
    )
    AccessibilityFeedback.objects.create(
        organisation=turku,
        sender_email="toinen@example.com",
        message="Kuvien tekstivastineet puuttuvat.",
        received_at=timezone.now(),
        due_on=due_on_for(timezone.now()),
    )
    return demo_accounts


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"legal-{name}.png"), full_page=True)


def problems_on(page) -> list[str]:
    return [
        f"[{v['impact']}] {v['id']}: {v['help']} at {v['nodes'][0]['target']}"
        for v in axe_check(page, fail_on=frozenset())
        if v["impact"] in AXE_FAILING_IMPACTS
    ]


@pytest.mark.parametrize("width", list(SIZES))
def test_legal_pages_pass_axe_in_every_language_for_every_organisation(new_page, legal, width):
    size, options = SIZES[width]
    problems = {}
    for language, locale in LOCALES.items():
        page = new_page(size, locale=locale, **options)
        for slug in ("turku", "kaarina", "varha"):
            for name, path in PAGES.items():
                response = page.goto(path.format(slug=slug))
                assert response.status == 200, f"{path} answered {response.status}"
                expect(page.locator("html")).to_have_attribute("lang", language)
                if slug == "turku" and (language == "fi" or name == "accessibility"):
                    shot(page, f"{name}-{slug}-{language}-{width}")
                lines = problems_on(page)
                if lines:
                    problems[f"{language} {path.format(slug=slug)}"] = lines
    assert not problems, "axe:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items()
    )


@pytest.mark.parametrize("width", list(SIZES))
def test_the_coordinators_feedback_pages_pass_axe(new_page, force_login, legal, width):
    size, options = SIZES[width]
    page = new_page(size, locale="en-GB", **options)
    force_login(page, legal[COORDINATOR])
    page.goto("/organisation/accessibility-feedback/")
    overdue = page.locator(".legal-feedback.is-overdue")
    expect(overdue).to_have_count(1)
    expect(overdue.locator(".legal-badge-overdue")).to_have_text("! Overdue")
    shot(page, f"feedback-list-{width}")
    assert not problems_on(page)
    overdue.get_by_role("link").click()
    expect(page.locator(".legal-overdue-note")).to_be_visible()
    shot(page, f"feedback-answer-{width}")
    assert not problems_on(page)


def test_feedback_by_keyboard_from_the_statement_to_the_thank_you_page(new_page, legal):
    page = new_page("phone", locale="en-GB")
    page.goto("/kaarina/accessibility/")
    link = page.get_by_role("link", name="Give accessibility feedback")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/kaarina/accessibility/feedback/")
    page.get_by_label("What did you find hard or impossible to use?").fill(
        "The date picker cannot be used with a keyboard."
    )
    page.get_by_label("Your email address").fill("visitor@example.com")
    page.get_by_label("Your email address").press("Enter")
    due = timezone.localdate() + timedelta(days=14)
    expect(page.locator("main")).to_contain_text(f"by {due.day}.{due.month}.{due.year}")
    shot(page, "feedback-thanks-390")
    assert not problems_on(page)
    feedback = AccessibilityFeedback.objects.get(sender_email="visitor@example.com")
    assert feedback.organisation.slug == "kaarina" and feedback.due_on == due
