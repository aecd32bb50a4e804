"""Who sees a listing, and how its audience widens over time.

A published listing is seen by its own department first, then by its whole organisation,
then also by the organisation's partners, and then by nobody but its owners (end of life,
when the owner decides what happens to it). Each stage lasts the number of days its
organisation sets; a stage of 0 days is skipped. The owner may skip ahead or hold it.

This module is the one home of the rule: `visible_q` for querysets (catalogue, search,
cards, alerts) and the reserving SQL, `sees` for one listing already loaded, `groups_for`
for the live events about it.
"""

from datetime import datetime, timedelta

from django.utils.functional import cached_property

from kierratys import live
from kierratys.accounts.selectors import partner_ids_of

from .models import Listing

Audience = Listing.Audience
STAGES = (Audience.DEPARTMENT, Audience.ORGANISATION, Audience.PARTNERS, Audience.ENDED)
SEEN_BY_ORGANISATION = (Audience.ORGANISATION, Audience.PARTNERS)


class Viewer:
    """Where someone stands: their unit's department and organisation, and its partners
    (asked of the database once, when first needed)."""

    def __init__(self, department_id: int | None, organisation_id: int | None):
        self.department_id = department_id
        self.organisation_id = organisation_id

    @cached_property
    def partners(self):
        return partner_ids_of(self.organisation_id)

    @cached_property
    def partner_ids(self) -> frozenset[int]:
        return frozenset(self.partners)

    @cached_property
    def finding_partner_ids(self) -> frozenset[int]:
        """The partners for finding listings (catalogue, search, cards, alerts), from the
        shared cache per organisation and day (listings.choices), which every partnership
        or region change forgets once it commits: the catalogue asked the database on
        every page (issue 22). Deciding about one listing (`sees`: its page, reserving,
        the waiting list) asks the database."""
        from . import choices

        return choices.organisations_seen_by(self) - {self.organisation_id}


NOBODY = Viewer(None, None)


def viewer_for_unit(unit) -> Viewer:
    if unit is None:
        return NOBODY
    return Viewer(unit.department_id, unit.department.organisation_id)


def viewer_of(user) -> Viewer:
    """The viewer a signed-in person is, worked out once per request's user object."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return NOBODY
    cached = getattr(user, "_viewer", None)
    if cached is None:
        cached = user._viewer = viewer_for_unit(user.unit)
    return cached


def visible_q(viewer: Viewer):
    """The listings the viewer may see by stage (status and stock are filtered elsewhere)."""
    from django.db.models import Q

    if viewer.organisation_id is None:
        return Q(pk__in=[])
    q = Q(audience=Audience.DEPARTMENT, department_id=viewer.department_id) | Q(
        audience__in=SEEN_BY_ORGANISATION, organisation_id=viewer.organisation_id
    )
    # The partners as a list, not a subquery: inside the OR a subquery defeats the index
    # (listing_audience_reach_idx); at a million listings a broad search went from 3.4 s to
    # 0.8 s for one small query more (bench/README.md).
    partner_ids = sorted(viewer.finding_partner_ids)
    if not partner_ids:
        return q
    return q | Q(audience=Audience.PARTNERS, organisation_id__in=partner_ids)


# `visible_q` as SQL for the one-statement reserving path, with `partner_ids_of` written
# out so the statement needs no query before it; parameters from `sql_params`.
# tests/reservations/test_fast_path_parity.py checks it against the rule above.
VISIBLE_SQL = """(
    (audience = 'department' AND department_id = %(viewer_department)s)
    OR (audience IN ('organisation', 'partners') AND organisation_id = %(viewer_organisation)s)
    OR (audience = 'partners' AND organisation_id IN (
        SELECT o.id FROM kierratys_organisation o
         WHERE o.is_active AND o.id <> %(viewer_organisation)s AND o.id IN (
            SELECT CASE WHEN p.proposer_id = %(viewer_organisation)s
                        THEN p.partner_id ELSE p.proposer_id END
              FROM kierratys_partnership p
             WHERE %(viewer_organisation)s IN (p.proposer_id, p.partner_id)
               AND p.accepted_at IS NOT NULL AND p.ended_at IS NULL
               AND p.starts_on <= %(today)s AND (p.ends_on IS NULL OR p.ends_on >= %(today)s)
            UNION
            SELECT theirs.organisation_id
              FROM kierratys_regionmembership mine
              JOIN kierratys_regionmembership theirs ON theirs.region_id = mine.region_id
             WHERE mine.organisation_id = %(viewer_organisation)s
               AND mine.joined_on <= %(today)s
               AND (mine.left_on IS NULL OR mine.left_on >= %(today)s)
               AND theirs.joined_on <= %(today)s
               AND (theirs.left_on IS NULL OR theirs.left_on >= %(today)s))))
)"""


def sql_params(viewer: Viewer) -> dict:
    """With `today` from the statement's own parameters."""
    return {
        "viewer_department": viewer.department_id or 0,
        "viewer_organisation": viewer.organisation_id or 0,
    }


def sees(viewer: Viewer, listing: Listing) -> bool:
    if viewer.organisation_id is None:
        return False
    if listing.audience == Audience.DEPARTMENT:
        return listing.department_id == viewer.department_id
    if (
        listing.audience in SEEN_BY_ORGANISATION
        and listing.organisation_id == viewer.organisation_id
    ):
        return True
    return listing.audience == Audience.PARTNERS and listing.organisation_id in viewer.partner_ids


def groups_for(listing: Listing, stage: str | None = None) -> list[str]:
    """The live groups whose sockets may hear of the listing at its stage (or `stage`):
    `sees` in group names (kierratys.consumers joins each socket to its own). A draft
    or an ended listing only its owners see: the owner unit, and the warehouse staff and
    coordinators of its organisation (listings.permissions.can_edit)."""
    if listing.organisation_id is None:
        return []  # not loaded: better nobody hears than someone who may not see it
    stage = stage or listing.audience
    if listing.status == Listing.Status.DRAFT or stage == Audience.ENDED:
        return [
            live.unit_group(listing.owner_unit_id),
            live.warehouse_group(listing.organisation_id),
        ]
    if stage == Audience.DEPARTMENT:
        return [live.department_group(listing.department_id)]
    groups = [live.organisation_group(listing.organisation_id)]
    if stage == Audience.PARTNERS:
        groups.append(live.partners_group(listing.organisation_id))
    return groups


def narrows(before: str, after: str) -> bool:
    """Does moving from stage `before` to `after` hide the listing from anyone who saw it?
    Only the end does (or a step back, which listings.services.audience refuses)."""
    if before == after:
        return False
    return after == Audience.ENDED or STAGES.index(after) < STAGES.index(before)


def across_organisations(viewer: Viewer, listing: Listing) -> bool:
    """Is the viewer a partner rather than the owner's own organisation?"""
    return viewer.organisation_id is not None and listing.organisation_id != viewer.organisation_id


def stage_days(organisation, audience: str) -> int | None:
    """How many days the stage lasts for this organisation; None for the last."""
    return {
        Audience.DEPARTMENT: organisation.department_days,
        Audience.ORGANISATION: organisation.organisation_days,
        Audience.PARTNERS: organisation.partner_days,
    }.get(audience)


def stage_from(organisation, audience: str, now: datetime) -> tuple[str, datetime | None]:
    """The stage a listing is in when it enters `audience` at `now`, and when that widens:
    stages of 0 days are passed straight through."""
    index = STAGES.index(audience)
    for stage in STAGES[index:]:
        days = stage_days(organisation, stage)
        if days is None:
            return stage, None
        if days > 0:
            return stage, now + timedelta(days=days)
    return Audience.ENDED, None


def next_stage(audience: str) -> str:
    return STAGES[min(STAGES.index(audience) + 1, len(STAGES) - 1)]
