"""Anonymising a person (issue 23): name, email, phone and what they wrote go; their
listings, reservations and tasks stay, and the reports give the same figures."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.models import Notice, User
from kierratys.accounts.privacy import services as privacy
from kierratys.accounts.privacy.models import Anonymisation, PersonalDataAccess
from kierratys.accounts.roles import COORDINATOR
from kierratys.reports import selectors as reports
from kierratys.reports.anonymise import anonymised_email, user_anonymise
from kierratys.reports.personal_data import personal_data_of
from listings.models import ListingEvent, SavedSearch, SavedSearchAlert
from reservations import services
from reservations.models import HandoverDocument, Reservation

from ..factories import (
    PASSWORD,
    CategoryFactory,
    ListingFactory,
    member_of,
    other_organisation,
    reserve,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NAME, EMAIL, PHONE = "Pekka Poistettava", "pekka@demo.example", "040 222 3333"


@pytest.fixture
def pekka():
    """Pekka listed a shelf another unit collected, collected a sofa himself (with a note
    and his phone as the contact), cancelled a reservation giving a reason, and saved a
    search; his contact details were seen once."""
    pekka = member_of(full_name=NAME, email=EMAIL, phone=PHONE)
    category = CategoryFactory(
        slug="anon-c", typical_weight_kg=10, co2e_kg_per_item=30, replacement_value_eur=100
    )
    cache.clear()  # the category tree is cached
    shelf = ListingFactory(
        owner_unit=pekka.unit, created_by=pekka, category=category, weight_kg=12, quantity=10
    )
    receiver = member_of(full_name="Riitta Vastaanottaja")
    theirs = reserve(shelf, user=receiver, quantity=3)
    services.reservation_collect(actor=pekka, reservation_id=theirs.pk, quantity=3)
    sofa = ListingFactory(category=category, weight_kg=40, quantity=2)
    own = reserve(sofa, user=pekka, quantity=2, note="Soitan ennen tuloa", contact_phone=PHONE)
    services.reservation_collect(actor=sofa.created_by, reservation_id=own.pk, quantity=2)
    HandoverDocument.objects.create(
        reservation=own,
        number="LA-2026-999999",
        giving_organisation=other_organisation(),
        receiving_organisation=pekka.unit.department.organisation,
        quantity=2,
        handed_over_at=timezone.now(),
        giver_name="Antaja",
        receiver_name=NAME,
    )
    chair = ListingFactory(category=category, quantity=1)
    dropped = reserve(chair, user=pekka)
    services.reservation_cancel(
        actor=pekka, reservation_id=dropped.pk, reason="Pekan syy: ei tarvita"
    )
    saved = SavedSearch.objects.create(user=pekka, name="Pekan haku", query="q=sohva")
    SavedSearchAlert.objects.create(saved_search=saved, listing=chair)
    Notice.objects.create(user=pekka, kind=Notice.Kind.SEARCH_MATCH)
    privacy.personal_data_viewed(
        viewer=receiver,
        subjects=[privacy.Subject(user_id=pekka.pk, description=NAME)],
        what=PersonalDataAccess.What.RESERVATION_CONTACT,
    )
    return pekka


def figures(organisation_id):
    cache.clear()  # a cached report would compare with itself
    today = timezone.localdate()
    filters = reports.ReportFilter(
        start=today - timedelta(days=365), end=today, organisation_id=organisation_id
    )
    report = reports.impact_report(filters=filters)
    return report.totals, report.monthly, report.categories, report.breakdown, report.outcomes


def test_anonymising_leaves_no_name_email_or_phone_and_the_reports_unchanged(client, pekka):
    organisation_id = pekka.unit.department.organisation_id
    coordinator = member_of(roles=[COORDINATOR])
    before = figures(organisation_id)
    assert before[0]["items"] == 5  # the figures are there to compare
    reservations_before = list(
        Reservation.objects.order_by("pk").values_list(
            "pk", "status", "quantity", "quantity_collected", "unit_id", "updated_at"
        )
    )

    user_anonymise(actor=coordinator, user_id=pekka.pk)

    assert figures(organisation_id) == before
    assert (
        list(
            Reservation.objects.order_by("pk").values_list(
                "pk", "status", "quantity", "quantity_collected", "unit_id", "updated_at"
            )
        )
        == reservations_before
    )
    pekka.refresh_from_db()
    assert pekka.email == anonymised_email(pekka.pk)
    assert NAME not in pekka.full_name and pekka.phone == ""
    assert not pekka.is_active and not pekka.has_usable_password()
    assert not pekka.groups.exists()
    record = Anonymisation.objects.get(user=pekka)
    assert record.by == coordinator
    # Nothing that names him or was written by him is left anywhere.
    text = json.dumps(personal_data_of(user_id=pekka.pk), default=str)
    for trace in (NAME, EMAIL, PHONE, "Soitan ennen tuloa", "Pekan syy", "Pekan haku"):
        assert trace not in text
    assert not Reservation.objects.filter(contact_phone=PHONE).exists()
    assert not Reservation.objects.filter(contact_name=NAME).exists()
    assert not Reservation.objects.filter(reason__contains="Pekan syy").exists()
    assert not ListingEvent.objects.filter(note__contains="Pekan syy").exists()
    assert not HandoverDocument.objects.filter(receiver_name=NAME).exists()
    assert not User.objects.filter(email=EMAIL).exists()
    assert not SavedSearch.objects.filter(user=pekka).exists()
    assert not SavedSearchAlert.objects.filter(saved_search__user=pekka).exists()
    assert not PersonalDataAccess.objects.filter(subject_description=NAME).exists()
    # The records stay: his listing, and the log entry (without his name).
    assert pekka.reservations.count() == 2
    assert PersonalDataAccess.objects.filter(subject=pekka).count() == 1
    # Someone else's reservation of his listing keeps its contact.
    assert Reservation.objects.filter(contact_name="Riitta Vastaanottaja").exists()


def test_an_anonymised_person_is_signed_out_and_cannot_sign_in(client, pekka):
    client.force_login(pekka)
    assert client.get(reverse("profile")).status_code == 200
    user_anonymise(actor=member_of(roles=[COORDINATOR]), user_id=pekka.pk)
    assert client.get(reverse("profile")).status_code == 302  # to the sign-in page
    for address in (EMAIL, anonymised_email(pekka.pk)):
        response = client.post(reverse("login"), {"username": address, "password": PASSWORD})
        assert response.status_code == 200  # the form again, with its error
        assert client.get(reverse("profile")).status_code == 302


def test_the_coordinator_confirms_on_the_page(client, pekka):
    coordinator = member_of(roles=[COORDINATOR])
    client.force_login(coordinator)
    url = reverse("privacy:anonymise", args=[pekka.pk])
    page = client.get(url, **EN)
    assert page.status_code == 200 and "This cannot be undone" in page.text
    unconfirmed = client.post(url, {}, **EN)
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in unconfirmed.text
    assert User.objects.get(pk=pekka.pk).email == EMAIL  # nothing changed
    done = client.post(url, {"confirm": "on"}, **EN)
    assert done.status_code == 302
    shown = client.get(done["Location"], **EN)
    assert "data-anonymised" in shown.text and "Anonymise this person" not in shown.text
    again = client.post(url, {"confirm": "on"}, **EN)
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["self", "superuser"])
def test_a_coordinator_cannot_anonymise_themselves_or_a_superuser(client, who):
    coordinator = member_of(roles=[COORDINATOR], full_name="Kaisa Koordinaattori")
    target = coordinator if who == "self" else member_of(is_superuser=True, full_name="Pääkäyttäjä")
    client.force_login(coordinator)
    url = reverse("privacy:anonymise", args=[target.pk])
    assert (
        "Anonymise this person"
        not in client.get(reverse("privacy:person", args=[target.pk]), **EN).text
    )
    response = client.post(url, {"confirm": "on"}, **EN)
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.is_active and "anonymised" not in target.email
    assert not Anonymisation.objects.exists()


def test_only_a_coordinator_of_the_persons_organisation_anonymises(client, pekka):
    url = reverse("privacy:anonymise", args=[pekka.pk])
    client.force_login(member_of(other_organisation(), roles=[COORDINATOR]))
    assert client.post(url, {"confirm": "on"}).status_code == 404
    client.force_login(member_of())
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert User.objects.get(pk=pekka.pk).email == EMAIL
