"""The one-statement fast path (PostgreSQL) and the locked ORM path must write the same
reservation and history rows: a column added to one and not the other fails here."""

import pytest
from django.forms.models import model_to_dict

from listings.models import ListingEvent
from reservations.models import Reservation
from reservations.services import reserve as reserve_module

from ..conftest import needs_postgres
from ..factories import ListingFactory, UserFactory

pytestmark = [pytest.mark.django_db, needs_postgres]

DETAILS = {
    "quantity": 2,
    "handover": Reservation.Handover.PICKUP,
    "contact_name": "  Maija Meikäläinen ",
    "contact_phone": " 040 123 4567 ",
    "note": " Tuomme kärryt ",
}
PER_ROW = {"id", "listing", "created_at", "updated_at"}


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
