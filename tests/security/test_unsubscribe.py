"""Saved-search unsubscribe: a GET (a mail scanner following the link) changes nothing.

People unsubscribe with the page's POST button, or their mail client does it in one
click through the RFC 8058 headers, which POST without a CSRF token or a session.
"""

import re
from email import message_from_bytes, policy

import pytest
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from listings import alerts, services
from listings.models import SavedSearch

from ..factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def saved():
    user = UserFactory(language="en")
    return services.saved_search_create(user=user, name="Tuolit", query="")


def url_for(token: str) -> str:
    return reverse("listings:search_unsubscribe", args=[token])


def strict_client() -> Client:
    """A mail provider or scanner: no cookies, no session, and CSRF checks on."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def subscribed(saved: SavedSearch) -> bool:
    saved.refresh_from_db()
    return saved.alerts_enabled


def publish(title: str):
    author = UserFactory()
    return services.listing_create(
        actor=author,
        unit=author.unit,
        fields={"title": title, "category": CategoryFactory(), "condition": "good", "quantity": 1},
        publish=True,
    )


def test_following_the_link_only_asks(saved):
    url = url_for(alerts.unsubscribe_token(saved))
    scanner = strict_client()
    for user_agent in ["Mozilla/5.0", "Microsoft Office/16.0 SafeLinks", "Barracuda/1.0", ""]:
        page = scanner.get(url, HTTP_USER_AGENT=user_agent)
        assert page.status_code == 200
        assert subscribed(saved)
    assert scanner.head(url).status_code == 200
    assert subscribed(saved)

    page = scanner.get(url)
    assert "Tuolit" in page.text
    form = re.search(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form and form.group(1) == url
    assert re.search(r'<button type="submit"[^>]*>\s*Stop the emails\s*</button>', form.group(2))
    assert "You will no longer get emails" not in page.text


def test_the_button_unsubscribes_with_or_without_signing_in(saved):
    url = url_for(alerts.unsubscribe_token(saved))
    page = strict_client().get(url)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    done = strict_client().post(url, fields)
    assert done.status_code == 200
    assert "You will no longer get emails for the saved search “Tuolit”." in done.text
    assert not subscribed(saved)

    # Signed in as its owner, with a session and a CSRF cookie: the same.
    services.saved_search_set_alerts(saved=saved, enabled=True)
    owner = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(saved.user)
    page = owner.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    data = {"csrfmiddlewaretoken": token.group(1)} if token else {}
    assert owner.post(url, data).status_code == 200
    assert not subscribed(saved)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_from_the_mail_client(saved, encoding):
    url = url_for(alerts.unsubscribe_token(saved))
    provider = strict_client()
    if encoding == "urlencoded":
        response = provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    else:
        response = provider.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not subscribed(saved)
    # Sent twice (providers retry): still off, still fine.
    assert (
        provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    assert not subscribed(saved)


def test_a_token_acts_only_on_its_own_search(saved):
    other = services.saved_search_create(user=saved.user, name="Pöydät", query="q=pöytä")
    strict_client().post(url_for(alerts.unsubscribe_token(other)), {})
    assert not subscribed(other)
    assert subscribed(saved)
    assert alerts.unsubscribe_token(saved) != alerts.unsubscribe_token(other)


def test_a_tampered_or_forged_token_is_not_found_and_changes_nothing(saved):
    good = alerts.unsubscribe_token(saved)
    with override_settings(SECRET_KEY="not-the-servers-key-" * 3):
        forged_key = alerts.unsubscribe_token(saved)
    payload, _, signature = good.partition(":")
    forged = [
        good + "x",
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        good[:-5],
        payload,
        f"{signing.b64_encode(str(saved.pk + 1).encode()).decode()}:{signature}",
        signing.dumps(saved.pk),  # signed, but for some other purpose
        signing.dumps(saved.pk, salt="listings.saved-search"),
        forged_key,
        "x",
    ]
    anyone = strict_client()
    for token in forged:
        for method in ("get", "post"):
            response = getattr(anyone, method)(url_for(token), {})
            assert response.status_code == 404, (token, method)
            assert "This link is not valid" in response.text
        response = anyone.post(
            url_for(token), ONE_CLICK, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 404
    assert SavedSearch.objects.filter(alerts_enabled=True).count() == 1
    assert subscribed(saved)


def test_alert_email_carries_the_one_click_headers(saved, run_tasks, settings):
    publish("Harmaa tuoli")
    run_tasks()
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/listings/searches/unsubscribe/(\S+)/", message.body)
    # The token carries its signing time, so it is compared by what it opens, not as text.
    assert alerts.saved_search_for_token(link.group(1)) == saved
    link = link.group(0)
    assert link.startswith(settings.SITE_URL + "/listings/searches/unsubscribe/")
    sent = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert sent["List-Unsubscribe"].strip() == f"<{link}>"  # a long value is folded
    assert sent["List-Unsubscribe-Post"] == ONE_CLICK
    # What a mail client does with them works.
    path = link.removeprefix(settings.SITE_URL)
    assert (
        strict_client()
        .post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
        .status_code
        == 200
    )
    assert not subscribed(saved)


def test_the_headers_survive_a_retry_and_stay_off_other_mail(saved, run_tasks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    publish("Harmaa tuoli")
    run_tasks()
    retry = DBTaskResult.objects.filter(task_path__endswith="send_email", status="READY").get()
    headers = retry.args_kwargs["kwargs"]["headers"]
    assert headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert headers["List-Unsubscribe"].endswith(url_for(alerts.unsubscribe_token(saved)) + ">")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from kierratys.common import mail as outgoing

    assert outgoing.send_now(
        to="a@demo.example", template="verify_email", context={"name": "A", "verify_url": "u"}
    )
    assert "List-Unsubscribe" not in mail.outbox[-1].message()
