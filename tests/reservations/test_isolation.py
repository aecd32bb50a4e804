"""Reservations are their two parties' (issue 17): the reserving unit and the owner side,
also across organisations at the partner stage; another organisation's coordinator or
warehouse is no party and gets 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.partnerships import Partnership
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from listings.models import Listing
from reservations import permissions
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    StorageLocationFactory,
    UserFactory,
    WarehouseFactory,
    other_organisation,
    reserve,
    unit_of,
)

pytestmark = pytest.mark.django_db


def test_another_organisations_coordinator_is_no_party(client):
    OrganisationFactory()
    listing = ListingFactory(title="Turun tuoli")
    reservation = reserve(listing)
    outsider = UserFactory(unit=unit_of(other_organisation(1)), roles=[COORDINATOR])
    own = UserFactory(roles=[COORDINATOR])
    assert permissions.is_owner_side(own, listing)
    assert not permissions.is_owner_side(outsider, listing)
    client.force_login(outsider)
    for name in ("detail", "slip", "handover"):
        url = reverse(f"reservations:{name}", args=[reservation.pk])
        assert client.get(url).status_code == 404, name
    for name in ("cancel", "extend"):
        url = reverse(f"reservations:{name}", args=[reservation.pk])
        assert client.post(url, {"reason": "Ei tarvita"}).status_code == 404, name
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE and not reservation.extended
    client.force_login(own)
    assert client.get(reverse("reservations:detail", args=[reservation.pk])).status_code == 200


def test_the_warehouse_list_holds_only_what_its_organisations_warehouses_store(client):
    turku, kunta = OrganisationFactory(), other_organisation(1)
    ours = ListingFactory(
        title="Meidän hyllyssä",
        storage_location=StorageLocationFactory(warehouse=WarehouseFactory(organisation=turku)),
    )
    kunta_unit = unit_of(kunta)
    theirs = ListingFactory(
        title="Heidän hyllyssä",
        owner_unit=kunta_unit,
        storage_location=StorageLocationFactory(warehouse=WarehouseFactory(organisation=kunta)),
    )
    reserve(ours)
    reserve(theirs, user=UserFactory(unit=unit_of(kunta)))
    client.force_login(UserFactory(roles=[WAREHOUSE]))  # Turku's
    page = client.get(reverse("reservations:list")).text
    assert "Meidän hyllyssä" in page and "Heidän hyllyssä" not in page


def test_both_parties_of_a_cross_organisation_reservation_see_it(client):
    turku, kunta = OrganisationFactory(), other_organisation(1)
    Partnership.objects.create(
        proposer=turku,
        partner=kunta,
        starts_on=timezone.localdate() - timedelta(days=1),
        proposed_by=UserFactory(),
        proposed_at=timezone.now(),
        accepted_by=UserFactory(unit=unit_of(kunta)),
        accepted_at=timezone.now(),
    )
    giver = UserFactory()
    listing = ListingFactory(
        owner_unit=giver.unit,
        created_by=giver,
        audience=Listing.Audience.PARTNERS,
        title="Kumppanille",
    )
    receiver = UserFactory(unit=unit_of(kunta))
    reservation = reserve(listing, user=receiver)
    for user, side in ((giver, "theirs"), (receiver, "ours")):
        client.force_login(user)
        assert client.get(reverse("reservations:detail", args=[reservation.pk])).status_code == 200
        page = client.get(reverse("reservations:list"))
        assert [r.pk for r in page.context[side]] == [reservation.pk]
    # The receiving organisation's coordinator sees it, but is not the giving side.
    receiving_coordinator = UserFactory(unit=unit_of(kunta), roles=[COORDINATOR])
    client.force_login(receiving_coordinator)
    assert client.get(reverse("reservations:detail", args=[reservation.pk])).status_code == 200
    assert client.get(reverse("reservations:handover", args=[reservation.pk])).status_code == 404


def test_an_ended_partnership_keeps_a_partner_waiting_and_a_cancelled_one_out(client):
    """The partner's waiting-list place is not promoted while the item is out of its sight,
    and a reservation it cancelled no longer opens the item page."""
    from reservations import services

    from ..factories import running_partnership

    turku, kunta = OrganisationFactory(), other_organisation(1)
    partnership = running_partnership(turku, kunta)
    listing = ListingFactory(quantity=1, audience=Listing.Audience.PARTNERS)
    holder = reserve(listing)  # Turku's own unit takes the only one
    partner = UserFactory(unit=unit_of(kunta))
    waiting = reserve(listing, user=partner, join_waiting_list=True)
    assert waiting.status == Reservation.Status.WAITING
    Partnership.objects.filter(pk=partnership.pk).update(ended_at=timezone.now())
    services.reservation_cancel(actor=holder.requested_by, reservation_id=holder.pk)
    waiting.refresh_from_db()
    assert waiting.status == Reservation.Status.WAITING  # not handed what it cannot see
    listing.refresh_from_db()
    assert listing.quantity_available == 1
    services.reservation_cancel(actor=partner, reservation_id=waiting.pk)
    client.force_login(partner)
    assert client.get(reverse("listings:detail", args=[listing.pk])).status_code == 404
