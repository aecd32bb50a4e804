"""Issue 14, finding 11: e-mails are plain text in the recipient's language.

Subjects showed `&#x27;` for an apostrophe (autoescaped), and status words, handover
labels and dates came out in the worker's language instead of the recipient's.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from inventory import services as inventory_services
from kierratys.common import mail as mail_module
from reservations import notify, services
from reservations.models import Reservation
from tests.factories import ListingFactory, UserFactory, reserve

pytestmark = pytest.mark.django_db

TITLES = [
    'Eero\'s "Pastilli" chair',
    "Tuoli & pöytä <2 kpl>",
    "<b>Hylly</b> 'K' & \"L\" > 3",
]


def run_worker_in(language, run_tasks):
    """The worker process runs in its own language, whatever the recipients speak."""
    with translation.override(language):
        run_tasks()


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.mark.parametrize(
    ("language", "cancelled", "worker_word"),
    [("sv", "Avbokad", "Peruttu"), ("en", "Cancelled", "Peruttu"), ("fi", "Peruttu", "Avbokad")],
)
def test_status_words_are_in_the_recipients_language(run_tasks, language, cancelled, worker_word):
    worker = {"sv": "fi", "en": "fi", "fi": "sv"}[language]
    reserver = UserFactory(language=language)
    listing = ListingFactory()
    reservation = reserve(listing, user=reserver)
    run_worker_in(worker, run_tasks)
    mail.outbox.clear()
    services.reservation_cancel(actor=reserver, reservation_id=reservation.pk)
    run_worker_in(worker, run_tasks)
    [message] = mails_to(reserver)
    assert message.subject.endswith(f": {cancelled}")
    assert f": {cancelled}." in message.body
    assert worker_word not in message.subject + message.body


def test_an_expired_reservation_says_so_in_swedish_to_a_swedish_reader(run_tasks):
    reserver = UserFactory(language="sv")
    reservation = reserve(ListingFactory(), user=reserver)
    run_worker_in("fi", run_tasks)
    mail.outbox.clear()
    Reservation.objects.filter(pk=reservation.pk).update(
        collect_by=timezone.localdate() - timedelta(days=1)
    )
    assert services.reservations_expire() == 1
    run_worker_in("fi", run_tasks)
    [message] = mails_to(reserver)
    assert message.subject.endswith(": Förfallen")
    assert "Vanhentunut" not in message.body and "Förfallen" in message.body


@pytest.mark.parametrize(
    ("language", "handover", "worker_handover"),
    [("sv", "Vi hämtar själva", "Noudamme itse"), ("fi", "Noudamme itse", "Vi hämtar själva")],
)
def test_the_owners_mail_names_the_handover_in_the_owners_language(
    run_tasks, language, handover, worker_handover
):
    owner = UserFactory(language=language)
    listing = ListingFactory(created_by=owner, owner_unit=owner.unit)
    reserve(listing)
    with translation.override("sv" if language == "fi" else "fi"):
        notify.notify_owners.call()  # the sweep runs in the worker too
        run_tasks()
    [message] = mails_to(owner)
    assert f": {handover}" in message.body
    assert worker_handover not in message.body


def test_the_collect_by_date_is_written_in_the_citys_one_date_format(run_tasks):
    """1.12.2026 in every language (kierratys/formats), whatever the worker's language."""
    reserver = UserFactory(language="sv")
    reservation = reserve(ListingFactory(), user=reserver)
    run_worker_in("fi", run_tasks)
    mail.outbox.clear()
    due = timezone.localdate() + timedelta(days=3)
    Reservation.objects.filter(pk=reservation.pk).update(collect_by=due)
    assert services.reservations_remind() == 1
    run_worker_in("fi", run_tasks)
    [message] = mails_to(reserver)
    assert message.subject.startswith("Påminnelse: hämta ")
    assert message.subject.endswith(f"senast {due.day}.{due.month}.{due.year}")
    assert f"{due:%Y-%m-%d}" not in message.subject + message.body


@pytest.mark.parametrize("title", TITLES)
def test_titles_are_not_html_escaped_in_subject_or_body(run_tasks, title):
    reserver = UserFactory(language="fi")
    listing = ListingFactory(title=title)
    reservation = reserve(listing, user=reserver)
    notify.notify_owners.call()
    run_tasks()
    services.reservation_cancel(actor=reserver, reservation_id=reservation.pk)
    run_tasks()
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert title in message.subject
        assert title in message.body
        assert "&#x27;" not in message.subject and "&amp;" not in message.subject
        assert "&lt;" not in message.subject + message.body
        assert "&quot;" not in message.subject + message.body


@pytest.mark.parametrize("title", TITLES)
def test_the_listing_expiry_question_keeps_the_title_as_written(run_tasks, title):
    owner = UserFactory(language="sv")
    listing = ListingFactory(
        title=title,
        created_by=owner,
        owner_unit=owner.unit,
        available_from=timezone.localdate() - timedelta(days=40),
        available_until=timezone.localdate() - timedelta(days=1),
    )
    assert inventory_services.listings_expiry_notify() == 1
    run_worker_in("fi", run_tasks)
    [message] = mails_to(owner)
    assert message.subject == f"Vad ska hända med {title}?"
    assert title in message.body
    assert listing.code in message.body


@pytest.mark.parametrize("name", ["Åsa O'Brien & co", 'Matti "Masa" <Meikäläinen>'])
def test_render_mail_is_plain_text_whatever_the_text(name):
    subject, body = mail_module.render_mail(
        "search_match",
        {
            "search_name": name,
            "items": [{"code": "T-1", "title": name, "url": "u"}],
            "search_url": "s",
            "unsubscribe_url": "x",
        },
        "sv",
    )
    assert name in subject and name in body
    subject, body = mail_module.render_mail(
        "listing_expired", {"title": name, "code": "T-1", "url": "https://x/?a=1&b=2"}, "fi"
    )
    assert name in subject and name in body
    assert "https://x/?a=1&b=2" in body
