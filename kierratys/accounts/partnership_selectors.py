"""What the coordinator's partners page reads: the organisation's partners (by the one rule,
selectors.partner_ids_of), its agreements in their states, and its regions."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from ..common.errors import NotFound
from .models import Organisation
from .partnerships import Partnership, Region, RegionMembership, member_on
from .selectors import partner_ids_of, regions_of

RECENT_ENDED = 20


def _state(partnership: Partnership, today) -> str:
    if partnership.ended_at is not None:
        return "ended"
    if partnership.ends_on is not None and partnership.ends_on < today:
        return "lapsed"  # ran to its end date
    if partnership.accepted_at is None:
        return "proposed"
    return "running" if partnership.starts_on <= today else "upcoming"


def _outcome(partnership: Partnership) -> str:
    """How an agreement or proposal that no longer stands came to its end."""
    if partnership.ended_by_id is not None:
        return "ended" if partnership.accepted_at is not None else "closed"
    return "ran_out" if partnership.accepted_at is not None else "never_accepted"


def _with_other_side(partnership: Partnership, organisation_id: int, today) -> Partnership:
    partnership.incoming = partnership.partner_id == organisation_id
    partnership.other = partnership.proposer if partnership.incoming else partnership.partner
    partnership.state = _state(partnership, today)
    partnership.outcome = _outcome(partnership) if partnership.state in ("ended", "lapsed") else ""
    return partnership


def _partnerships_of(organisation_id: int):
    return Partnership.objects.filter(
        Q(proposer_id=organisation_id) | Q(partner_id=organisation_id)
    ).select_related("proposer", "partner", "proposed_by", "accepted_by", "ended_by")


def _regions_of(organisation_id: int, today) -> list[Region]:
    """The regions the organisation belongs to today, each with its members of today."""
    members = (
        RegionMembership.objects.filter(member_on(today))
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return list(
        regions_of(organisation_id, today).prefetch_related(
            Prefetch("memberships", queryset=members, to_attr="current_members")
        )
    )


def partners_page(*, organisation_id: int) -> dict:
    today = timezone.localdate()
    organisation = Organisation.objects.get(pk=organisation_id)
    partnerships = [
        _with_other_side(p, organisation_id, today) for p in _partnerships_of(organisation_id)
    ]
    regions = _regions_of(organisation_id, today)
    partners = list(
        Organisation.objects.filter(pk__in=partner_ids_of(organisation_id, today)).order_by("name")
    )
    # How each partner is one: its running agreement, the regions shared.
    for partner in partners:
        partner.agreement = next(
            (p for p in partnerships if p.state == "running" and p.other.pk == partner.pk), None
        )
        partner.regions = [
            region
            for region in regions
            if any(m.organisation_id == partner.pk for m in region.current_members)
        ]
    by_state = {}
    for partnership in partnerships:
        by_state.setdefault(partnership.state, []).append(partnership)
    proposed = by_state.get("proposed", [])
    return {
        "organisation": organisation,
        "partners": partners,
        "incoming": [p for p in proposed if p.incoming],
        "outgoing": [p for p in proposed if not p.incoming],
        "agreements": [*by_state.get("running", []), *by_state.get("upcoming", [])],
        # Newest proposals first (the model's order).
        "ended": [p for p in partnerships if p.state in ("ended", "lapsed")][:RECENT_ENDED],
        "regions": regions,
    }


def partnership_of(*, organisation_id: int, partnership_id: int) -> Partnership:
    """One of the organisation's partnerships; another organisation's is not there (404)."""
    partnership = (
        _partnerships_of(organisation_id).filter(pk=partnership_id).first()
        if organisation_id is not None
        else None
    )
    if partnership is None:
        raise NotFound
    return _with_other_side(partnership, organisation_id, timezone.localdate())
