"""The handover document (luovutusasiakirja): written when a partner organisation collects
an item, printable by both parties and nobody else."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.partnerships import Region, RegionMembership
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings.models import Listing
from reservations import services
from reservations.models import HandoverDocument

from ..factories import (
    CategoryFactory,
    ListingFactory,
    OrganisationFactory,
    member_of,
    other_organisation,
    reserve,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def raisio():
    return other_organisation(2, name="Raisio")


@pytest.fixture
def region(turku, raisio):
    region = Region.objects.create(name="Turun seutu", slug="turun-seutu")
    for organisation in (turku, raisio):
        RegionMembership.objects.create(
            region=region, organisation=organisation, joined_on=timezone.localdate()
        )
    return region


@pytest.fixture
def giver(turku):
    return member_of(turku, full_name="Kaija Koulu")


@pytest.fixture
def receiver(raisio):
    return member_of(raisio, full_name="Risto Raisio")


@pytest.fixture
def shared(region, giver):
    parent = CategoryFactory(slug="hd-tables", replacement_value_eur=Decimal("120.50"))
    category = CategoryFactory(slug="hd-desks", parent=parent, depth=1, replacement_value_eur=None)
    return ListingFactory(
        owner_unit=giver.unit,
        created_by=giver,
        category=category,
        audience=Listing.Audience.PARTNERS,
        title="Kirjoituspöytä, koivu",
        quantity=5,
        condition=Listing.Condition.GOOD,
    )


def collect(listing, user, *, reserved, collected, actor):
    reservation = reserve(
        listing, user=user, quantity=reserved, contact_name="Riikka Vastaanottaja"
    )
    services.reservation_collect(actor=actor, reservation_id=reservation.pk, quantity=collected)
    return reservation


def test_a_partner_collection_writes_one_document_with_its_facts(
    shared, giver, receiver, turku, raisio
):
    reservation = collect(shared, receiver, reserved=3, collected=2, actor=giver)
    document = HandoverDocument.objects.get()
    reservation.refresh_from_db()
    year = timezone.localtime(reservation.updated_at).year
    assert document.reservation_id == reservation.pk
    assert document.number == f"LA-{year}-{reservation.pk:06d}"
    assert document.giving_organisation == turku
    assert document.receiving_organisation == raisio
    assert document.quantity == 2  # what was handed over, not what was reserved
    # The category has no value of its own: its parent's 120.50 € × 2.
    assert document.estimated_value_eur == Decimal("241.00")
    assert document.handed_over_at == reservation.updated_at
    assert document.giver_name == "Kaija Koulu"
    assert document.receiver_name == "Riikka Vastaanottaja"


def test_a_collection_within_one_organisation_writes_none(turku, giver):
    listing = ListingFactory(owner_unit=giver.unit, created_by=giver)
    colleague = member_of(turku)
    collect(listing, colleague, reserved=1, collected=1, actor=giver)
    assert not HandoverDocument.objects.exists()


def test_a_delivery_by_the_receivers_warehouse_names_the_giving_unit(shared, receiver, raisio):
    driver = member_of(raisio, [WAREHOUSE], full_name="Kuski Raisio")
    reservation = reserve(shared, user=receiver, quantity=1)
    services.reservation_collect(
        actor=driver, reservation_id=reservation.pk, quantity=1, by_delivery=True
    )
    document = HandoverDocument.objects.get()
    assert document.giver_name == shared.owner_unit.display_name


def test_without_any_category_value_the_estimate_stays_empty(region, giver, receiver):
    listing = ListingFactory(
        owner_unit=giver.unit,
        created_by=giver,
        category=CategoryFactory(slug="hd-none", replacement_value_eur=None),
        audience=Listing.Audience.PARTNERS,
    )
    collect(listing, receiver, reserved=1, collected=1, actor=giver)
    assert HandoverDocument.objects.get().estimated_value_eur is None


def test_both_parties_print_it_and_the_detail_page_links_it(
    client, shared, giver, receiver, turku, raisio
):
    reservation = collect(shared, receiver, reserved=2, collected=2, actor=giver)
    document = HandoverDocument.objects.get()
    url = reverse("reservations:handover_document", args=[reservation.pk])
    parties = [
        giver,
        receiver,
        member_of(turku, [COORDINATOR]),
        member_of(raisio, [COORDINATOR]),
        member_of(raisio, unit=receiver.unit),  # a colleague in the receiving unit
    ]
    for person in parties:
        client.force_login(person)
        page = client.get(url, **EN)
        assert page.status_code == 200, person
        text = page.text
        assert "Luovutusasiakirja / Överlåtelsehandling / Handover document" in text
        assert document.number in text
        assert "Turku" in text and turku.business_id in text
        assert "Raisio" in text and raisio.business_id in text
        assert shared.code in text and "Kirjoituspöytä, koivu" in text
        assert "Good" in text  # the condition
        assert "241.00 €" in text
        assert "Kaija Koulu" in text and "Riikka Vastaanottaja" in text
        assert text.count("Date and signature") == 2
    client.force_login(receiver)
    detail = client.get(reverse("reservations:detail", args=[reservation.pk]), **EN)
    assert url in detail.text
    assert "Print the handover document" in detail.text


def test_anyone_else_gets_not_found(client, shared, giver, receiver, region):
    reservation = collect(shared, receiver, reserved=1, collected=1, actor=giver)
    url = reverse("reservations:handover_document", args=[reservation.pk])
    kaarina = other_organisation(3, name="Kaarina")
    RegionMembership.objects.create(
        region=region, organisation=kaarina, joined_on=timezone.localdate()
    )
    outsiders = [
        member_of(kaarina, [COORDINATOR]),  # a third organisation's coordinator
        member_of(kaarina),
        member_of(OrganisationFactory()),  # the giver's organisation, another unit
    ]
    for person in outsiders:
        client.force_login(person)
        assert client.get(url, **EN).status_code == 404, person


def test_no_document_no_link_and_not_found(client, turku, giver):
    listing = ListingFactory(owner_unit=giver.unit, created_by=giver)
    colleague = member_of(turku)
    reservation = collect(listing, colleague, reserved=1, collected=1, actor=giver)
    client.force_login(colleague)
    detail = client.get(reverse("reservations:detail", args=[reservation.pk]), **EN)
    assert "Print the handover document" not in detail.text
    url = reverse("reservations:handover_document", args=[reservation.pk])
    assert client.get(url, **EN).status_code == 404
