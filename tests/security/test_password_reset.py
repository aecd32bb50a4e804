"""Password reset: queued, alike for every address, in the owner's language, rate-limited.

Before, the reset mail was sent inside the request (SMTP I/O only when the address had
an account: a timing oracle), in the language of whoever asked, and without any limit.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "liisa.virtanen@demo.example"
LIMITED = "Too many password reset requests"


def ask(client, email, **headers):
    return client.post(
        reverse("password_reset"), {"email": email}, HTTP_ACCEPT_LANGUAGE="en", **headers
    )


def test_nothing_is_sent_inside_the_request(client, run_tasks):
    UserFactory(email=ADDRESS)
    response = ask(client, ADDRESS)
    assert response.status_code == 302
    assert mail.outbox == []  # no SMTP while the person waits
    run_tasks()
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@pytest.mark.parametrize(
    "other", ["nobody@demo.example", "someone@gmail.com", "LIISA.VIRTANEN@demo.example.fi"]
)
def test_known_and_unknown_addresses_get_the_same_treatment(client, run_tasks, other):
    UserFactory(email=ADDRESS)
    answers, queued = [], []
    for email in [ADDRESS, other]:
        before = DBTaskResult.objects.count()
        response = ask(client, email)
        answers.append((response.status_code, response["Location"]))
        queued.append(DBTaskResult.objects.count() - before)
    assert answers[0] == answers[1]
    assert queued == [1, 1]
    assert mail.outbox == []
    run_tasks()
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@pytest.mark.parametrize("language", ["sv", "en", "fi"])
def test_the_mail_is_plain_text_in_the_owners_language(client, run_tasks, language):
    UserFactory(email=ADDRESS, language=language)
    other = {"sv": "fi", "en": "sv", "fi": "en"}[language]
    client.post(reverse("password_reset"), {"email": ADDRESS}, HTTP_ACCEPT_LANGUAGE=other)
    run_tasks()
    [message] = mail.outbox
    expected = {
        "sv": ("Välj ett nytt lösenord", "Hej"),
        "en": ("Choose a new password", "Hello"),
        "fi": ("Valitse uusi salasana", "Hei"),
    }[language]
    assert expected[0] in message.subject
    assert message.body.startswith(expected[1])
    assert getattr(message, "alternatives", []) == []  # plain text only
    assert "<" not in message.body


def test_the_link_in_the_queued_mail_sets_a_new_password(client, run_tasks):
    user = UserFactory(email=ADDRESS)
    ask(client, ADDRESS)
    run_tasks()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "uusi-tuoli-salasana-7", "new_password2": "uusi-tuoli-salasana-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("uusi-tuoli-salasana-7")


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown"])
def test_requests_for_one_address_are_limited_in_any_spelling(
    client, run_tasks, settings, registered
):
    if registered:
        UserFactory(email=ADDRESS)
    spellings = [ADDRESS, ADDRESS.upper(), "lıısa.vırtanen@demo.example", f"  {ADDRESS} "]
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
        # Each from its own connection: the per-client limit is not what stops this.
        assert ask(client, spellings[n % 4], REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 302
    before = DBTaskResult.objects.count()
    response = ask(client, spellings[1], REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 429
    assert LIMITED in response.text
    assert DBTaskResult.objects.count() == before  # nothing queued
    run_tasks()
    assert len(mail.outbox) == (settings.PASSWORD_RESET_LIMIT_PER_ADDRESS if registered else 0)


def test_requests_from_one_client_are_limited_across_addresses(client, settings):
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
        assert ask(client, f"user{n}@demo.example").status_code == 302
    before = DBTaskResult.objects.count()
    response = ask(client, "yet.another@demo.example")
    assert response.status_code == 429
    assert LIMITED in response.text
    assert DBTaskResult.objects.count() == before
    # Another connection is not affected.
    assert ask(client, "yet.another@demo.example", REMOTE_ADDR="198.51.100.20").status_code == 302


def test_inactive_accounts_get_no_mail(client, run_tasks):
    UserFactory(email=ADDRESS, is_active=False, email_verified_at=None)
    assert ask(client, ADDRESS).status_code == 302
    run_tasks()
    assert mail.outbox == []
