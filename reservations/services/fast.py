"""The one-statement reserving path on PostgreSQL."""

from django.db import connection
from django.utils import timezone

from kierratys.accounts.pauses.selectors import LISTING_PAUSED_SQL
from listings import audience
from listings.events import listing_announce
from listings.models import Listing
from listings.wanted.models import WantedAnswer

from .. import notify
from ..models import Reservation
from .rules import (
    Status,
    _announce_reservation,
    _fulfil_wanted,
    _new_reservation,
)

# The hot path on PostgreSQL, in one statement: lock, check and decrease the listing, and
# write the reservation and its history event only if that matched. Run in autocommit it
# is its own transaction, and the row lock lasts only as long as the statement.
# The columns are the models' own; a field added without a value here fails every
# reserving test at once. The WHERE is `rules._check_reservable` as SQL (published, inside
# its dates, not the unit's own, at a stage that shows it to the unit, not paused, not
# lent for a period: reservations.loans), and the listing's owner does not approve
# requests (those start as "requested": the locked path writes them, rules._holding_status):
# tests/reservations/test_fast_path_parity.py checks that it refuses each case the rules do.
# `answers` says whether the listing answers a wanted request (issue 20), so the request is
# looked at only then (rules._fulfil_wanted), with no extra round trip otherwise.
RESERVE_SQL = f"""
    WITH taken AS (
        UPDATE listings_listing
           SET quantity_available = quantity_available - %(quantity)s, updated_at = %(now)s
         WHERE id = %(listing)s AND status = 'published' AND quantity_available >= %(quantity)s
           AND available_from <= %(today)s AND available_until >= %(today)s
           AND owner_unit_id <> %(unit)s AND {audience.VISIBLE_SQL}
           AND NOT {LISTING_PAUSED_SQL} AND NOT owner_approves AND NOT for_loan
     RETURNING id, quantity_available, owner_unit_id, organisation_id, department_id, audience,
               EXISTS (SELECT 1 FROM {WantedAnswer._meta.db_table} a
                        WHERE a.listing_id = listings_listing.id) AS answers
    ), reservation AS (
        INSERT INTO reservations_reservation (
            listing_id, unit_id, requested_by_id, quantity, quantity_collected, handover,
            wanted_date, contact_name, contact_phone, note, collect_by, decide_by, extended,
            status, reason, owner_notified_at, created_at, updated_at)
        SELECT id, %(unit)s, %(actor)s, %(quantity)s, 0, %(handover)s,
               %(wanted_date)s::date, %(contact_name)s, %(contact_phone)s, %(note)s,
               %(collect_by)s::date, NULL,
               FALSE, 'active', '', NULL, %(now)s, %(now)s
          FROM taken
     RETURNING id, listing_id
    ), event AS (
        INSERT INTO listings_listingevent (listing_id, actor_id, kind, changes, note, created_at)
        SELECT listing_id, %(actor)s, 'reserved',
               jsonb_build_object('reservation', id, 'unit', %(unit_name)s::text,
                                  'quantity', %(quantity)s::integer),
               '', %(now)s
          FROM reservation
    )
    SELECT reservation.id, taken.quantity_available, taken.owner_unit_id,
           taken.organisation_id, taken.department_id, taken.audience, taken.answers
      FROM reservation, taken
"""


# What listing_announce needs of the listing, in the model's field order (from_db's).
_ANNOUNCED = tuple(
    field.attname
    for field in Listing._meta.concrete_fields
    if field.attname
    in (
        "id",
        "status",
        "quantity_available",
        "owner_unit_id",
        "organisation_id",
        "department_id",
        "audience",
    )
)

PREPARE_AFTER = 2  # runs of the statement on one connection


def _prepared_cursor():
    """A cursor binding its parameters on the server, so psycopg prepares the statement
    on a kept connection once it has run a few times (`prepare_threshold`): planning it
    and quoting its fourteen parameters in Python cost more than running it (issue 22).
    Django's own cursors bind on the client; this one is wrapped like them, so errors,
    query logging and execute wrappers are the same."""
    import psycopg

    connection.ensure_connection()
    # Django turns preparing off (None); only cursors like this one ever prepare.
    connection.connection.prepare_threshold = PREPARE_AFTER
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def reserve_fast(*, actor, unit, listing_id, quantity, **details) -> Reservation | None:
    """The common case on PostgreSQL, with the shortest possible lock.

    None when it took nothing (not enough, not reservable, paused, or SQLite, where writes
    are serialised anyway): then the locked path explains, queues or reserves.
    """
    if connection.vendor != "postgresql":
        return None
    today = timezone.localdate()
    reservation = _new_reservation(
        today=today,
        listing_id=listing_id,
        actor=actor,
        unit=unit,
        quantity=quantity,
        status=Status.ACTIVE,
        **details,
    )
    now = reservation.created_at
    params = {
        "quantity": quantity,
        "now": now,
        "today": today,
        "listing": listing_id,
        "unit": unit.pk,
        "unit_name": unit.name,
        "actor": actor.pk,
        "handover": reservation.handover,
        "wanted_date": reservation.wanted_date,
        "contact_name": reservation.contact_name,
        "contact_phone": reservation.contact_phone,
        "note": reservation.note,
        "collect_by": reservation.collect_by,
        **audience.sql_params(audience.viewer_for_unit(unit)),
    }
    # No transaction.atomic() here on purpose: one statement is one transaction. Outside a
    # caller's transaction PostgreSQL commits it as it completes, so the listing's row lock
    # is never held while this thread waits for the interpreter lock to send a COMMIT
    # (with 32 threads in one process that wait was longer than the work). Inside a
    # caller's transaction it simply joins it, and on_commit waits for that commit.
    with _prepared_cursor() as cursor:
        cursor.execute(RESERVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    reservation.pk, available, owner_unit_id, organisation_id, department_id, stage, answers = row
    reservation._state.adding = False
    notify.reserved(reservation)
    # Its audience too: only those who may see it hear of it. Built as a partly loaded row
    # (the rest deferred), so no field default is computed: available_until's would look
    # up the time zone again.
    known = {
        "id": listing_id,
        "status": Listing.Status.PUBLISHED,
        "quantity_available": available,
        "owner_unit_id": owner_unit_id,
        "organisation_id": organisation_id,
        "department_id": department_id,
        "audience": stage,
    }
    listing = Listing.from_db(connection.alias, _ANNOUNCED, [known[name] for name in _ANNOUNCED])
    listing_announce(listing)
    _announce_reservation(reservation, owner_unit_id)
    if answers:
        _fulfil_wanted(reservation, actor)
    return reservation
