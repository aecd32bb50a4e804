"""The legal pages (issue 23): each organisation's accessibility statement and privacy notice
in Finnish, Swedish and English, linked from every page's footer and from sign-up; the
accessibility feedback form, its 14-day deadline, and the coordinator who answers it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.models import Organisation
from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import NotFound
from kierratys.demo import seed_organisation
from kierratys.legal import services
from kierratys.legal.demo import CONTACTS, SHORTCOMINGS, seed_legal
from kierratys.legal.models import (
    AccessibilityFeedback,
    AccessibilityStatement,
    PrivacyNotice,
    due_on_for,
)

from ..factories import member_of, other_organisation

pytestmark = pytest.mark.django_db

DEMO = ["turku", "kaarina", "varha"]
LANGUAGES = ["fi", "sv", "en"]


@pytest.fixture
def demo():
    """The demo organisations and accounts with their statements and notices."""
    users = {user.email: user for user in seed_organisation()}
    seed_legal()
    return users


def first_shortcoming(language: str) -> str:
    return SHORTCOMINGS[language].split(" (WCAG")[0]


def lang(language):
    return {"HTTP_ACCEPT_LANGUAGE": language}


def feedback_for(organisation, *, days_ago=0, answered=False, **fields):
    received = timezone.now() - timedelta(days=days_ago)
    values = {
        "organisation": organisation,
        "sender_email": "kayttaja@example.com",
        "message": fields.pop("message", f"Painike ei toimi näppäimistöllä ({days_ago} pv)."),
        "received_at": received,
        "due_on": due_on_for(received),
        **fields,
    }
    if answered:
        values |= {"answer": "Korjattu.", "answered_at": received + timedelta(days=1)}
    return AccessibilityFeedback.objects.create(**values)


# --- The pages -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_demo_organisation_has_both_pages_in_each_language(client, demo, language):
    for slug in DEMO:
        statement = client.get(f"/{slug}/accessibility/", **lang(language))
        assert statement.status_code == 200, slug
        page = statement.text
        assert f'<html lang="{language}">' in page
        assert first_shortcoming(language) in page
        others = [code for code in LANGUAGES if code != language]
        assert not any(first_shortcoming(code) in page for code in others)
        assert CONTACTS[slug]["feedback_email"] in page
        assert 'lang="fi"' not in page.split("<main", 1)[1]  # nothing fell back to Finnish
        assert reverse("legal:feedback_of", args=[slug]) in page

        notice = client.get(f"/{slug}/privacy/", **lang(language))
        assert notice.status_code == 200, slug
        assert CONTACTS[slug]["controller"][language] in notice.text
        assert CONTACTS[slug]["dpo_email"] in notice.text
        assert "12" in notice.text  # the retention months, from the settings


def test_a_text_missing_in_the_readers_language_is_shown_in_finnish_marked_so(client, demo):
    AccessibilityStatement.objects.filter(organisation__slug="kaarina").update(shortcomings_en="")
    page = client.get("/kaarina/accessibility/", **lang("en")).text
    assert f'<div class="legal-text" lang="fi"><p>{first_shortcoming("fi")}' in page
    assert first_shortcoming("en") not in page


def test_the_organisation_comes_from_the_address_the_user_or_a_list(client, demo):
    # Signed out with three organisations: a list to pick from.
    page = client.get("/accessibility/").text
    for slug in DEMO:
        assert f'href="/{slug}/accessibility/"' in page
    assert first_shortcoming("fi") not in page
    # ?organisation= names one.
    assert (
        CONTACTS["varha"]["feedback_email"] in client.get("/accessibility/?organisation=varha").text
    )
    assert client.get("/privacy/?organisation=nowhere").status_code == 404
    assert client.get("/nowhere/accessibility/").status_code == 404
    # Signed in: one's own organisation, and the list on request.
    client.force_login(demo["reserver@kaarina.demo.example"])
    assert CONTACTS["kaarina"]["controller"]["fi"] in client.get("/privacy/").text
    assert 'href="/varha/privacy/"' in client.get("/privacy/?all").text


def test_an_organisation_without_a_statement_says_so(client, demo):
    newcomer = other_organisation(5, name="Naantali")
    page = client.get(f"/{newcomer.slug}/accessibility/", **lang("en")).text
    assert "Naantali has not yet published its accessibility statement." in page
    assert reverse("legal:feedback_of", args=[newcomer.slug]) in page


def test_every_page_links_the_statement_and_notice_in_its_footer(client, demo):
    footer = client.get(reverse("login")).text.split('<footer class="site-footer">')[1]
    assert 'href="/accessibility/"' in footer and 'href="/privacy/"' in footer
    client.force_login(demo["reserver@varha.demo.example"])
    footer = client.get(reverse("listings:catalogue")).text.split('class="site-footer"')[1]
    assert 'href="/varha/accessibility/"' in footer and 'href="/varha/privacy/"' in footer


def test_sign_up_shows_the_privacy_notice_before_the_account_is_created(client, demo):
    page = client.get(reverse("signup"), **lang("en")).text
    form = page.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0]
    notice_link = form.index('href="/privacy/"')
    assert notice_link < form.index('type="submit"')
    assert "Read the privacy notice before you create the account" in form


# --- Feedback --------------------------------------------------------------------------


def test_anonymous_feedback_is_saved_due_in_14_days_and_announced(client, demo, run_tasks):
    response = client.post(
        "/turku/accessibility/feedback/",
        {
            "message": "Varauslomakkeen virheilmoitusta ei lueta ruudunlukijalla.",
            "page_url": "/listings/12/",
            "name": "Maija Meikäläinen",
            "email": "Maija.Meikalainen@Example.com",
        },
        **lang("sv"),
    )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.organisation.slug == "turku"
    assert feedback.sender is None and feedback.sender_email == "maija.meikalainen@example.com"
    assert feedback.language == "sv"
    assert feedback.due_on == timezone.localdate() + timedelta(days=14)

    thanks = client.get(response["Location"], **lang("en")).text
    assert f"by {feedback.due_on:%-d.%-m.%Y} at the latest" in thanks

    run_tasks()
    [announcement] = mail.outbox
    assert announcement.to == ["saavutettavuus@demo.example"]
    assert "Varauslomakkeen virheilmoitusta" in announcement.body
    assert reverse("legal:feedback_detail", args=[feedback.pk]) in announcement.body


def test_a_signed_in_sender_is_answered_at_their_own_address(client, demo):
    reserver = demo["reserver@demo.example"]
    client.force_login(reserver)
    form = client.get("/accessibility/feedback/").text
    assert 'name="email"' not in form and reserver.email in form
    response = client.post(
        "/accessibility/feedback/", {"message": "Kontrasti on liian heikko.", "email": "x@y.z"}
    )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.sender == reserver
    assert (feedback.sender_name, feedback.sender_email) == (reserver.full_name, reserver.email)


def test_bad_feedback_is_refused_in_the_readers_language_and_nothing_is_saved(client, demo):
    response = client.post(
        "/kaarina/accessibility/feedback/", {"message": "  ", "email": "ei osoite"}, **lang("fi")
    )
    assert response.status_code == 400
    assert "Tämä kenttä on pakollinen." in response.text  # the message
    assert "Syötä kelvollinen sähköpostiosoite." in response.text
    assert 'class="error-summary"' in response.text
    assert not AccessibilityFeedback.objects.exists()
    assert not mail.outbox


def test_one_connection_may_send_only_a_few_messages_an_hour(client, demo):
    data = {"message": "Viesti", "email": "a@example.com"}
    for _ in range(services.FEEDBACK_PER_CLIENT_PER_HOUR):
        assert client.post("/varha/accessibility/feedback/", data).status_code == 302
    response = client.post("/varha/accessibility/feedback/", data, **lang("en"))
    assert response.status_code == 429
    assert "Too many messages from this connection" in response.text
    assert AccessibilityFeedback.objects.count() == services.FEEDBACK_PER_CLIENT_PER_HOUR


def test_feedback_to_an_inactive_organisation_is_not_found(demo):
    Organisation.objects.filter(slug="kaarina").update(is_active=False)
    kaarina = Organisation.objects.get(slug="kaarina")
    with pytest.raises(NotFound):
        services.feedback_submit(
            organisation_id=kaarina.pk,
            sender=None,
            name="",
            email="a@example.com",
            page_url="",
            message="Hei",
            language="fi",
            client_address="10.0.0.1",
        )


# --- The coordinator's list and answers ------------------------------------------------


def test_the_list_is_newest_first_with_overdue_ones_flagged_in_words(client, demo):
    turku = Organisation.objects.get(slug="turku")
    late = feedback_for(turku, days_ago=20, message="Vanha vastaamaton")
    on_time = feedback_for(turku, days_ago=3, message="Tuore")
    done = feedback_for(turku, days_ago=30, answered=True, message="Vastattu")
    due_today = feedback_for(turku, days_ago=14, message="Tänään eräpäivä")
    feedback_for(Organisation.objects.get(slug="varha"), message="Varhan oma")

    client.force_login(demo["coordinator@demo.example"])
    page = client.get(reverse("legal:feedback_list"), **lang("en")).text
    order = [page.index(f'id="feedback-{f.pk}"') for f in (on_time, due_today, late, done)]
    assert order == sorted(order)
    assert "Varhan oma" not in page
    assert "1 unanswered" not in page and "3 unanswered" in page and "1 overdue" in page

    def card(feedback):
        return page.split(f'id="feedback-{feedback.pk}"')[1].split("</li>")[0]

    assert (
        "Overdue" in card(late) and "is-overdue" in page.split(f'id="feedback-{late.pk}"')[0][-80:]
    )
    assert all("Overdue" not in card(f) for f in (on_time, done, due_today))
    assert "Answered" in card(done)

    detail = client.get(reverse("legal:feedback_detail", args=[late.pk]), **lang("en")).text
    assert f"the answer was due on {late.due_on:%-d.%-m.%Y}" in detail


def test_answering_emails_the_sender_in_their_language(client, demo, run_tasks):
    turku = Organisation.objects.get(slug="turku")
    feedback = feedback_for(turku, days_ago=2, language="en", sender_email="visitor@example.com")
    coordinator = demo["coordinator@demo.example"]
    client.force_login(coordinator)
    url = reverse("legal:feedback_detail", args=[feedback.pk])
    response = client.post(url, {"answer": "We have fixed the button's label."}, **lang("en"))
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.answered_by == coordinator and feedback.answered_at is not None
    page = client.get(url, **lang("en")).text
    assert "Answer sent to visitor@example.com." in page
    assert 'name="answer"' not in page  # answered once

    run_tasks()
    [answer] = mail.outbox
    assert answer.to == ["visitor@example.com"]
    assert "We have fixed the button's label." in answer.body
    assert feedback.message in answer.body
    assert "/turku/accessibility/" in answer.body
    assert "Kaisa Koordinaattori" in answer.body


def test_an_empty_answer_is_refused_and_nothing_changes(client, demo):
    feedback = feedback_for(Organisation.objects.get(slug="turku"))
    client.force_login(demo["coordinator@demo.example"])
    response = client.post(
        reverse("legal:feedback_detail", args=[feedback.pk]), {"answer": " "}, **lang("fi")
    )
    assert response.status_code == 400
    assert "Tämä kenttä on pakollinen." in response.text
    feedback.refresh_from_db()
    assert feedback.answered_at is None and not mail.outbox


def test_another_organisations_feedback_is_not_found(client, demo):
    varha_feedback = feedback_for(Organisation.objects.get(slug="varha"))
    client.force_login(demo["coordinator@demo.example"])
    url = reverse("legal:feedback_detail", args=[varha_feedback.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "Ei meidän"}).status_code == 404
    with pytest.raises(NotFound):
        services.feedback_answer(
            actor=demo["coordinator@demo.example"], feedback_id=varha_feedback.pk, answer="x"
        )
    varha_feedback.refresh_from_db()
    assert varha_feedback.answered_at is None


def test_people_other_than_coordinators_are_refused(client, demo):
    feedback = feedback_for(Organisation.objects.get(slug="turku"))
    client.force_login(demo["reserver@demo.example"])
    assert client.get(reverse("legal:feedback_list")).status_code == 403
    assert client.get(reverse("legal:feedback_detail", args=[feedback.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.feedback_answer(
            actor=demo["reserver@demo.example"], feedback_id=feedback.pk, answer="x"
        )
    client.logout()
    assert client.get(reverse("legal:feedback_list")).status_code == 302  # to sign in


def test_a_coordinator_sees_unanswered_feedback_on_the_statement(client, demo):
    feedback_for(Organisation.objects.get(slug="kaarina"), days_ago=16)
    client.force_login(demo["coordinator@kaarina.demo.example"])
    page = client.get("/kaarina/accessibility/", **lang("en")).text
    assert "Accessibility feedback to your organisation: 1 unanswered" in page
    assert "1 overdue" in page
    assert "to your organisation" not in client.get("/varha/accessibility/", **lang("en")).text


def test_the_database_refuses_an_answer_time_without_an_answer(demo):
    feedback = feedback_for(Organisation.objects.get(slug="turku"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessibilityFeedback.objects.filter(pk=feedback.pk).update(answered_at=timezone.now())


# --- Editing and seeding ---------------------------------------------------------------


def test_coordinators_edit_only_their_own_organisations_pages_in_the_admin(client, demo):
    kaarina = Organisation.objects.get(slug="kaarina")
    coordinator = member_of(kaarina, [COORDINATOR], is_staff=True)
    client.force_login(coordinator)
    changelist = client.get("/admin/legal/accessibilitystatement/")
    assert changelist.status_code == 200
    own = AccessibilityStatement.objects.get(organisation=kaarina)
    others = AccessibilityStatement.objects.exclude(organisation=kaarina)
    assert f"/admin/legal/accessibilitystatement/{own.pk}/change/" in changelist.text
    assert all(f"/{other.pk}/change/" not in changelist.text for other in others)
    assert client.get(f"/admin/legal/accessibilitystatement/{own.pk}/change/").status_code == 200
    turku_notice = PrivacyNotice.objects.get(organisation__slug="turku")
    assert client.get(f"/admin/legal/privacynotice/{turku_notice.pk}/change/").status_code == 302


def test_seeding_twice_adds_nothing_and_keeps_edits(demo):
    assert AccessibilityStatement.objects.count() == PrivacyNotice.objects.count() == 3
    AccessibilityStatement.objects.filter(organisation__slug="turku").update(
        conformance=AccessibilityStatement.Conformance.FULL
    )
    assert seed_legal() == 0
    assert AccessibilityStatement.objects.count() == PrivacyNotice.objects.count() == 3
    turku = AccessibilityStatement.objects.get(organisation__slug="turku")
    assert turku.conformance == AccessibilityStatement.Conformance.FULL
