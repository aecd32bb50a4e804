"""The access log (issue 23): who was shown whose contact details, written by the pages
that show them, read by the coordinators of either side, kept ACCESS_LOG_MONTHS."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import Task
from kierratys.accounts.privacy import services as privacy
from kierratys.accounts.privacy.models import PersonalDataAccess
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    ReservationFactory,
    TaskFactory,
    UserFactory,
    member_of,
    next_working_day,
    other_organisation,
    warehouse_with_slots,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
What = PersonalDataAccess.What


@pytest.fixture
def reservation():
    giver = UserFactory(full_name="Paula Antikainen", phone="044 555 1212")
    listing = ListingFactory(owner_unit=giver.unit, created_by=giver)
    reserver = UserFactory(full_name="Rasmus Rantanen")
    return ReservationFactory(
        listing=listing, requested_by=reserver, contact_name="Riikka Rantanen"
    )


def entries():
    return list(PersonalDataAccess.objects.order_by("pk"))


def test_the_owner_opening_a_reservation_is_logged_as_seeing_its_contact(client, reservation):
    owner = reservation.listing.created_by
    client.force_login(owner)
    page = client.get(reverse("reservations:detail", args=[reservation.pk]), **EN)
    assert page.status_code == 200 and "Riikka Rantanen" in page.text
    [entry] = entries()  # their own details (the giver's) are not logged
    assert entry.viewer == owner
    assert entry.subject == reservation.requested_by
    assert entry.subject_description == "Riikka Rantanen"
    assert entry.what == What.RESERVATION_CONTACT
    assert entry.ref == f"reservation:{reservation.pk}"
    assert (
        entry.organisation_id
        == entry.subject_organisation_id
        == owner.unit.department.organisation_id
    )


def test_the_reserver_is_logged_as_seeing_the_givers_contact_on_the_slip(client, reservation):
    client.force_login(reservation.requested_by)
    assert client.get(reverse("reservations:slip", args=[reservation.pk])).status_code == 200
    [entry] = entries()
    assert entry.subject == reservation.listing.created_by
    assert entry.subject_description == "Paula Antikainen"
    assert entry.what == What.PICKUP_SLIP


def test_a_cleared_contact_is_not_logged_as_seen(client, reservation):
    Reservation.objects.filter(pk=reservation.pk).update(contact_name="", contact_phone="")
    client.force_login(reservation.listing.created_by)
    client.get(reverse("reservations:detail", args=[reservation.pk]))
    assert entries() == []


def test_the_task_page_and_run_sheet_log_the_delivery_contact(client, reservation):
    warehouse, _shelves, _slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    day = next_working_day()
    task = TaskFactory(
        kind=Task.Kind.DELIVERY,
        status=Task.Status.SCHEDULED,
        date=day,
        warehouse=warehouse,
        listing=reservation.listing,
        reservation=reservation,
        to_unit=reservation.unit,
    )
    client.force_login(driver)
    assert client.get(reverse("inventory:task", args=[task.pk])).status_code == 200
    sheet = client.get(
        reverse("inventory:run_sheet"), {"warehouse": warehouse.pk, "date": day.isoformat()}
    )
    assert sheet.status_code == 200 and "Riikka Rantanen" in sheet.text
    task_entry, sheet_entry = entries()
    assert (task_entry.what, task_entry.ref) == (What.TASK_CONTACT, f"task:{task.pk}")
    assert (sheet_entry.what, sheet_entry.ref) == (
        What.RUN_SHEET,
        f"run_sheet:{warehouse.pk}:{day.isoformat()}",
    )
    # The subject's organisation followed from the reserving unit (one lookup).
    assert sheet_entry.subject_organisation_id == reservation.unit.department.organisation_id
    assert sheet_entry.subject == reservation.requested_by


def test_logging_a_page_of_subjects_is_one_query(reservation):
    viewer = UserFactory()  # its unit and department loaded, as a request's user has them
    organisation_id = viewer.unit.department.organisation_id
    subjects = [
        privacy.Subject(
            user_id=UserFactory().pk, description=f"Henkilö {n}", organisation_id=organisation_id
        )
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        written = privacy.personal_data_viewed(
            viewer=viewer, subjects=subjects + subjects[:2], what=What.RUN_SHEET, ref="x"
        )
    assert written == 5  # the same person twice on one page is logged once
    assert len(queries) == 1


# --- the coordinator's page -------------------------------------------------------------------


def _log(viewer, subject, description="", when=None):
    privacy.personal_data_viewed(
        viewer=viewer,
        subjects=[
            privacy.Subject(user_id=subject.pk, description=description, unit_id=subject.unit_id)
        ],
        what=What.RESERVATION_CONTACT,
        ref="reservation:1",
    )
    entry = PersonalDataAccess.objects.latest("pk")
    if when is not None:
        PersonalDataAccess.objects.filter(pk=entry.pk).update(at=when)
    return entry


def test_the_coordinator_sees_their_organisations_entries_newest_first(client):
    coordinator = member_of(roles=[COORDINATOR])
    _log(
        member_of(full_name="Ville Vanha"),
        member_of(full_name="Sanna Vanha"),
        when=timezone.now() - timedelta(days=3),
    )
    _log(member_of(full_name="Ville Uusi"), member_of(full_name="Sanna Uusi"))
    elsewhere = other_organisation()
    _log(
        member_of(elsewhere, full_name="Muu Katselija"), member_of(elsewhere, full_name="Muu Kohde")
    )

    client.force_login(coordinator)
    page = client.get(reverse("privacy:log"), **EN)
    assert page.status_code == 200
    rows = page.text.split("data-log-entry")[1:]
    assert len(rows) == 2
    assert "Ville Uusi" in rows[0] and "Sanna Uusi" in rows[0]  # newest first
    assert "Ville Vanha" in rows[1] and "Sanna Vanha" in rows[1]
    assert "Muu Kohde" not in page.text and "Muu Katselija" not in page.text
    assert f'<a href="{reverse("reservations:detail", args=[1])}">Reservation #1</a>' in rows[0]


def test_a_partners_viewing_of_our_persons_details_is_in_both_logs(client):
    ours = member_of(full_name="Sanna Kohde")
    elsewhere = other_organisation()
    their_driver = member_of(elsewhere, full_name="Kuski Muualta")
    _log(their_driver, ours, description="Sanna Kohde")
    for coordinator in (member_of(roles=[COORDINATOR]), member_of(elsewhere, roles=[COORDINATOR])):
        client.force_login(coordinator)
        page = client.get(reverse("privacy:log"))
        assert "Kuski Muualta" in page.text and "Sanna Kohde" in page.text


def test_the_log_filters_by_person(client):
    coordinator = member_of(roles=[COORDINATOR])
    viewer = member_of(full_name="Ville Katselija")
    anna, bertta = member_of(full_name="Anna Aalto"), member_of(full_name="Bertta Berg")
    _log(viewer, anna)
    _log(viewer, bertta)
    client.force_login(coordinator)
    by_name = client.get(reverse("privacy:log"), {"q": "aalto"})
    assert "Anna Aalto" in by_name.text and "Bertta Berg" not in by_name.text
    by_person = client.get(reverse("privacy:log"), {"person": bertta.pk})
    assert by_person.status_code == 200
    rows = by_person.text.split("data-log-entry")[1:]
    assert len(rows) == 1 and "Bertta Berg" in rows[0]
    stranger = member_of(other_organisation())
    assert client.get(reverse("privacy:log"), {"person": stranger.pk}).status_code == 404


def test_the_log_is_paginated(client, settings):
    coordinator = member_of(roles=[COORDINATOR])
    viewer, subject = member_of(), member_of()
    for _n in range(51):
        _log(viewer, subject)
    client.force_login(coordinator)
    first = client.get(reverse("privacy:log"), **EN)
    assert first.text.count("data-log-entry") == 50 and "Page 1 of 2" in first.text
    second = client.get(reverse("privacy:log"), {"page": 2})
    assert second.text.count("data-log-entry") == 1


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_only_coordinators_see_the_log(client, roles):
    client.force_login(member_of(roles=roles))
    assert client.get(reverse("privacy:log")).status_code == 403


def test_the_log_is_kept_for_its_months_only(settings):
    settings.ACCESS_LOG_MONTHS = 24
    viewer, subject = UserFactory(), UserFactory()
    now = datetime(2026, 12, 2, 12, tzinfo=ZoneInfo("Europe/Helsinki"))
    kept = _log(viewer, subject, when=datetime(2024, 12, 3, 12, tzinfo=ZoneInfo("Europe/Helsinki")))
    _log(viewer, subject, when=datetime(2024, 12, 1, 12, tzinfo=ZoneInfo("Europe/Helsinki")))
    assert privacy.access_log_clean(now=now) == 1
    assert entries() == [kept]
    assert privacy.access_log_clean(now=now) == 0


def test_months_before_keeps_to_the_calendar():
    moment = datetime(2026, 3, 31, 9, 30)
    assert privacy.months_before(moment, 1) == datetime(2026, 2, 28, 9, 30)
    assert privacy.months_before(moment, 12) == datetime(2025, 3, 31, 9, 30)
    assert privacy.months_before(datetime(2024, 3, 31), 1) == datetime(2024, 2, 29)
    assert privacy.months_before(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)


def test_logging_the_run_sheet_costs_the_same_for_one_stop_or_many(client):
    warehouse, _shelves, _slots = warehouse_with_slots()
    driver = UserFactory(roles=[WAREHOUSE])
    day = next_working_day()
    client.force_login(driver)

    def stop():
        reservation = ReservationFactory(contact_name="Vastaanottaja")
        TaskFactory(
            kind=Task.Kind.DELIVERY,
            status=Task.Status.SCHEDULED,
            date=day,
            warehouse=warehouse,
            listing=reservation.listing,
            reservation=reservation,
            to_unit=reservation.unit,
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            sheet = client.get(
                reverse("inventory:run_sheet"), {"warehouse": warehouse.pk, "date": day.isoformat()}
            )
        assert sheet.status_code == 200
        return len(captured)

    stop()
    queries()  # the first page fills the shared cache (e.g. the announcements' windows)
    one = queries()
    for _n in range(5):
        stop()
    assert queries() == one
    assert PersonalDataAccess.objects.filter(what=What.RUN_SHEET).count() == 2 + 6


def test_the_admins_reservation_page_is_logged_too(client, reservation):
    coordinator = member_of(roles=[COORDINATOR], is_staff=True, is_superuser=True)
    client.force_login(coordinator)
    url = reverse("admin:reservations_reservation_change", args=[reservation.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Riikka Rantanen" in page.text
    [entry] = entries()
    assert (entry.viewer, entry.subject, entry.ref) == (
        coordinator,
        reservation.requested_by,
        f"reservation:{reservation.pk}",
    )
