"""Retention (issue 23): a closed reservation's contact name, phone and note are cleared
RESERVATION_CONTACT_RETENTION_MONTHS after it closed; nothing else of it changes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kierratys.management import jobs
from reservations import services
from reservations.models import Reservation

from ..factories import ReservationFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 12, 2, 12, tzinfo=HELSINKI)
THIRTEEN_MONTHS_AGO = datetime(2025, 11, 1, 12, tzinfo=HELSINKI)
ELEVEN_MONTHS_AGO = datetime(2026, 1, 5, 12, tzinfo=HELSINKI)
Status = Reservation.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def closed(status, when, **fields):
    reservation = ReservationFactory(
        status=status, contact_name="Maija Meikäläinen", note="Ovi B", **fields
    )
    Reservation.objects.filter(pk=reservation.pk).update(updated_at=when)
    return reservation


def contact(reservation):
    return Reservation.objects.values_list("contact_name", "contact_phone", "note").get(
        pk=reservation.pk
    )


def test_the_job_clears_exactly_the_old_closed_reservations(settings):
    settings.RESERVATION_CONTACT_RETENTION_MONTHS = 12
    old = [
        closed(status, THIRTEEN_MONTHS_AGO)
        for status in Status
        if status not in Reservation.OPEN_STATUSES
    ]
    recent = closed(Status.COLLECTED, ELEVEN_MONTHS_AGO)
    old_active = closed(Status.ACTIVE, THIRTEEN_MONTHS_AGO)
    old_waiting = closed(Status.WAITING, THIRTEEN_MONTHS_AGO)
    old_request = closed(Status.REQUESTED, THIRTEEN_MONTHS_AGO)  # still open (issue 20)
    before = {
        r.pk: Reservation.objects.values_list("status", "quantity", "updated_at").get(pk=r.pk)
        for r in old
    }

    assert services.reservation_contacts_expire(now=NOW) == len(old) == 4

    for reservation in old:
        assert contact(reservation) == ("", "", "")
        # Still the same reservation for the reports: status, quantity and closing time.
        after = Reservation.objects.values_list("status", "quantity", "updated_at")
        assert after.get(pk=reservation.pk) == before[reservation.pk]
    for kept in (recent, old_active, old_waiting, old_request):
        assert contact(kept) == ("Maija Meikäläinen", "040 123 4567", "Ovi B")
    assert services.reservation_contacts_expire(now=NOW) == 0  # done once


def test_the_months_are_a_setting(settings):
    reservation = closed(Status.CANCELLED, ELEVEN_MONTHS_AGO)
    settings.RESERVATION_CONTACT_RETENTION_MONTHS = 12
    assert services.reservation_contacts_expire(now=NOW) == 0
    settings.RESERVATION_CONTACT_RETENTION_MONTHS = 6
    assert services.reservation_contacts_expire(now=NOW) == 1
    assert contact(reservation) == ("", "", "")


def test_the_periodic_round_runs_it(settings):
    settings.RESERVATION_CONTACT_RETENTION_MONTHS = 1
    reservation = closed(Status.EXPIRED, THIRTEEN_MONTHS_AGO)
    done = jobs.periodic_jobs_run()
    assert done["reservation contacts cleared"] == 1
    assert contact(reservation) == ("", "", "")


def test_the_reservation_page_says_the_contact_was_removed(client, settings):
    settings.RESERVATION_CONTACT_RETENTION_MONTHS = 12
    reservation = closed(Status.COLLECTED, THIRTEEN_MONTHS_AGO)
    client.force_login(reservation.requested_by)
    url = reverse("reservations:detail", args=[reservation.pk])
    assert "Maija Meikäläinen" in client.get(url, **EN).text
    services.reservation_contacts_expire(now=NOW)
    page = client.get(url, **EN).text
    assert "Contact details removed" in page and "Maija Meikäläinen" not in page
