"""The one-statement fast path (PostgreSQL) and the locked ORM path must write the same
reservation and history rows: a column added to one and not the other fails here."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from kierratys.common.errors import NotFound, ServiceError
from listings.models import Listing, ListingEvent
from reservations.models import Reservation
from reservations.services import fast, rules
from reservations.services import reserve as reserve_module

from ..conftest import needs_postgres
from ..factories import ListingFactory, UserFactory, other_organisation

pytestmark = [pytest.mark.django_db, needs_postgres]

DETAILS = {
    "quantity": 2,
    "handover": Reservation.Handover.PICKUP,
    "contact_name": "  Maija Meikäläinen ",
    "contact_phone": " 040 123 4567 ",
    "note": " Tuomme kärryt ",
}
PER_ROW = {"id", "listing", "created_at", "updated_at"}
FAST_DETAILS = {
    "handover": Reservation.Handover.PICKUP,
    "wanted_date": None,
    "contact_name": "Maija",
    "contact_phone": "040 123 4567",
    "note": "",
}


def reserve(*, fast: bool, actor, monkeypatch):
    listing = ListingFactory(quantity=5)
    if not fast:
        monkeypatch.setattr(reserve_module, "reserve_fast", lambda **kwargs: None)
    reservation = reserve_module.reservation_create(actor=actor, listing_id=listing.pk, **DETAILS)
    row = Reservation.objects.get(pk=reservation.pk)
    event = ListingEvent.objects.get(listing=listing, kind="reserved")
    return row, event


def test_both_paths_write_the_same_reservation_and_history_rows(monkeypatch):
    actor = UserFactory()
    fast_row, fast_event = reserve(fast=True, actor=actor, monkeypatch=monkeypatch)
    slow_row, slow_event = reserve(fast=False, actor=actor, monkeypatch=monkeypatch)
    fields = [f.name for f in Reservation._meta.concrete_fields if f.name not in PER_ROW]
    assert model_to_dict(fast_row, fields=fields) == model_to_dict(slow_row, fields=fields)
    assert fast_row.contact_name == "Maija Meikäläinen"  # trimmed the same way
    assert fast_row.owner_notified_at is None and slow_row.owner_notified_at is None
    assert (fast_event.actor_id, fast_event.note) == (slow_event.actor_id, slow_event.note)
    assert fast_event.changes == {**slow_event.changes, "reservation": fast_row.pk}
    assert slow_event.changes["reservation"] == slow_row.pk


# Whether a listing can be reserved is written twice: `rules._check_reservable` explains
# each refusal, and `fast.RESERVE_SQL`'s WHERE enforces the same in one statement. Every
# reason the one knows, the other must know too.
def _not_reservable_cases():
    today = timezone.localdate()
    return {
        "draft": {"status": Listing.Status.DRAFT, "published_at": None},
        "withdrawn": {"status": Listing.Status.WITHDRAWN},
        "not yet": {"available_from": today + timedelta(days=1)},
        "no longer": {
            "available_from": today - timedelta(days=10),
            "available_until": today - timedelta(days=1),
        },
        "for loan": {"for_loan": True},  # lent for a period: booked, never reserved
    }


@pytest.mark.parametrize(
    "case", ["draft", "withdrawn", "not yet", "no longer", "own item", "for loan"]
)
def test_the_fast_path_refuses_whatever_the_rules_refuse(case):
    actor = UserFactory()
    if case == "own item":
        listing = ListingFactory(quantity=5, owner_unit=actor.unit)
    else:
        listing = ListingFactory(quantity=5, **_not_reservable_cases()[case])
    with pytest.raises(ServiceError):
        rules._check_reservable(listing, actor.unit, 1)
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert taken is None
    listing.refresh_from_db()
    assert listing.quantity_available == 5 and not Reservation.objects.exists()


def test_the_fast_path_takes_what_the_rules_allow():
    actor = UserFactory()
    listing = ListingFactory(quantity=5)
    rules._check_reservable(listing, actor.unit, 1)  # allowed
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert taken is not None and Reservation.objects.get().listing_id == listing.pk


# The audience: the fast path's WHERE has `listings.audience.VISIBLE_SQL`, the rules
# `audience.sees`; a unit the stage does not show the listing to is refused by both
# (the rules as if it did not exist), a partner's unit at the partner stage taken by both.
def _running_partnership(one, other):
    from kierratys.accounts.partnerships import Partnership

    now = timezone.now()
    Partnership.objects.create(
        proposer=one,
        partner=other,
        starts_on=timezone.localdate() - timedelta(days=1),
        proposed_by=UserFactory(unit__department__organisation=one),
        proposed_at=now,
        accepted_by=UserFactory(unit__department__organisation=other),
        accepted_at=now,
    )


def test_both_refuse_a_listing_whose_stage_hides_it_from_the_unit():
    actor = UserFactory()
    elsewhere = other_organisation(1)
    listing = ListingFactory(
        quantity=5,
        owner_unit__department__organisation=elsewhere,
        audience=Listing.Audience.ORGANISATION,
    )
    _running_partnership(elsewhere, actor.unit.department.organisation)  # not enough yet
    with pytest.raises(NotFound):
        rules._check_reservable(listing, actor.unit, 1)
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert taken is None
    listing.refresh_from_db()
    assert listing.quantity_available == 5 and not Reservation.objects.exists()


def test_both_take_a_partners_listing_at_the_partner_stage():
    actor = UserFactory()
    elsewhere = other_organisation(1)
    listing = ListingFactory(
        quantity=5,
        owner_unit__department__organisation=elsewhere,
        audience=Listing.Audience.PARTNERS,
    )
    _running_partnership(elsewhere, actor.unit.department.organisation)
    rules._check_reservable(listing, actor.unit, 1)  # allowed
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert taken is not None and Reservation.objects.get().unit_id == actor.unit_id


# A pause: the fast path's WHERE has `pauses.selectors.LISTING_PAUSED_SQL`, the rules
# `pause_for_listing`; both refuse while the organisation or the shelf's warehouse is
# paused, and neither minds another warehouse's pause or one that has ended.
@pytest.mark.parametrize(
    "scope, refused",
    [("organisation", True), ("warehouse", True), ("other warehouse", False), ("ended", False)],
)
def test_both_refuse_a_paused_listing_and_take_one_that_is_not(scope, refused):
    from kierratys.accounts.pauses.models import OrderingPause

    from ..factories import StorageLocationFactory

    actor = UserFactory()
    shelf = StorageLocationFactory()
    listing = ListingFactory(quantity=5, storage_location=shelf)
    today = timezone.localdate()
    OrderingPause.objects.create(
        organisation_id=listing.organisation_id,
        warehouse={
            "organisation": None,
            "warehouse": shelf.warehouse,
            "other warehouse": StorageLocationFactory().warehouse,
            "ended": None,
        }[scope],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        ended_at=timezone.now() if scope == "ended" else None,
        message_fi="Tauko",
        created_by=UserFactory(),
    )
    if refused:
        with pytest.raises(ServiceError):
            rules._check_reservable(listing, actor.unit, 1)
    else:
        rules._check_reservable(listing, actor.unit, 1)
    taken = fast.reserve_fast(
        actor=actor, unit=actor.unit, listing_id=listing.pk, quantity=1, **FAST_DETAILS
    )
    assert (taken is None) == refused
    listing.refresh_from_db()
    assert listing.quantity_available == (5 if refused else 4)
