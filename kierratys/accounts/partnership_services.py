"""Partnerships between two organisations: proposed by one side's coordinator, binding once
the other side's coordinator accepts, ended by either side (declining or withdrawing a
proposal is ending it before acceptance).

Each write locks the rows it checks: the pair's organisations (in id order, so two
coordinators proposing to each other at once queue instead of deadlocking) or the
partnership itself. The database's one-open-agreement-per-pair constraint is the net
under the check. Once a partnership starts or ends to bind, both organisations' open
sockets reconnect (live.regroup_organisation) so they hear only of listings they may see.
"""

from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import live
from ..common import inputs
from ..common.errors import Conflict, NotFound, ServiceError
from . import hooks
from .models import Notice, Organisation, User
from .partnerships import Partnership, RegionMembership
from .roles import COORDINATOR, coordinators_organisation_id

MAX_REASON = 500
# The notice kind for "a partnership was proposed, accepted or ended". Notice.Kind has no
# member for it yet (adding one needs a migration): see the helper report.
NOTICE_KIND = getattr(Notice.Kind, "PARTNERSHIP", "partnership")


class PartnershipError(StrEnum):
    """Why a partnership action was refused: codes tests and views rely on."""

    ITSELF = "itself"  # an organisation proposing to itself
    PARTNER_INACTIVE = "partner_inactive"  # the chosen organisation does not use the service
    OPEN_EXISTS = "open_exists"  # an agreement between the pair that has not ended
    START_PAST = "start_past"
    DATES_ORDER = "dates_order"
    OWN_PROPOSAL = "own_proposal"  # the proposing side cannot accept its own proposal
    ACCEPTED = "accepted"  # accepted already
    ENDED = "ended"  # ended already
    LAPSED = "lapsed"  # its end date has passed


Code = PartnershipError


def _refused(error_class, field: str | None, message: str, code: Code):
    """The error with its code, under the form field it is about (or above the form)."""
    error = ValidationError(message, code=code)
    return error_class({field: error} if field else [error])


def _require_coordinator(actor) -> int:
    return coordinators_organisation_id(actor)


def _lock_for_actor(partnership_id, organisation_id: int) -> Partnership:
    """The partnership, locked, if the actor's organisation is one of its two sides."""
    partnership = (
        Partnership.objects.select_for_update()
        .filter(Q(proposer_id=organisation_id) | Q(partner_id=organisation_id), pk=partnership_id)
        .first()
    )
    if partnership is None:
        raise NotFound
    return partnership


def _other_side(partnership: Partnership, organisation_id: int) -> int:
    if partnership.proposer_id == organisation_id:
        return partnership.partner_id
    return partnership.proposer_id


def _notify_coordinators(organisation_id: int, *, event: str, by: Organisation, **params):
    """A notice to each active coordinator of the organisation, with a link to the page."""
    coordinators = User.objects.filter(
        is_active=True,
        groups__name=COORDINATOR,
        unit__department__organisation_id=organisation_id,
    ).values_list("pk", flat=True)
    url = reverse("partnerships:list")
    # The primary name: the notice is read later, in its reader's language.
    data = {"event": event, "organisation": by.name, "organisation_id": by.pk, **params}
    Notice.objects.bulk_create(
        [Notice(user_id=pk, kind=NOTICE_KIND, params=data, url=url) for pk in coordinators]
    )


def _open_between(first_id: int, second_id: int):
    return Partnership.objects.filter(
        Q(proposer_id=first_id, partner_id=second_id)
        | Q(proposer_id=second_id, partner_id=first_id),
        ended_at__isnull=True,
    )


def _open_exists_error(open_one: Partnership, own_id: int, partner: Organisation) -> Conflict:
    names = {"organisation": partner.display_name}
    if open_one.accepted_at is not None:
        message = _(
            "You already have a partnership with %(organisation)s. End it first to make a new "
            "agreement."
        )
    elif open_one.proposer_id == own_id:
        message = _(
            "You have already proposed a partnership to %(organisation)s. It is waiting for "
            "their coordinator to accept it."
        )
    else:
        message = _(
            "%(organisation)s has already proposed a partnership to you. Accept or decline it "
            "on this page."
        )
    return _refused(Conflict, "partner", message % names, Code.OPEN_EXISTS)


def _lapse_if_past(open_one: Partnership, now) -> bool:
    """An agreement whose end date has passed binds nobody, but still counts as open for
    the one-per-pair rule: close it (by its dates, so by nobody) to make room for a new one."""
    if open_one.ends_on is not None and open_one.ends_on < timezone.localdate(now):
        open_one.ended_at = now
        open_one.save(update_fields=["ended_at"])
        return True
    return False


def partnership_propose(*, actor, partner_id, starts_on, ends_on=None) -> Partnership:
    own_id = _require_coordinator(actor)
    if partner_id == own_id:
        raise _refused(
            ServiceError, "partner", _("Your organisation cannot be its own partner."), Code.ITSELF
        )
    today = timezone.localdate()
    if starts_on < today:
        raise _refused(
            ServiceError, "starts_on", _("The start date cannot be in the past."), Code.START_PAST
        )
    if ends_on is not None and ends_on < starts_on:
        raise _refused(
            ServiceError,
            "ends_on",
            _("The end date cannot be before the start date."),
            Code.DATES_ORDER,
        )
    with transaction.atomic():
        organisations = {
            o.pk: o
            for o in Organisation.objects.select_for_update()
            .filter(pk__in=[own_id, partner_id])
            .order_by("pk")
        }
        partner = organisations.get(partner_id)
        if partner is None or not partner.is_active:
            raise _refused(
                ServiceError,
                "partner",
                _("Choose an organisation that uses the service."),
                Code.PARTNER_INACTIVE,
            )
        now = timezone.now()
        open_one = _open_between(own_id, partner_id).select_for_update().first()
        if open_one is not None and not _lapse_if_past(open_one, now):
            raise _open_exists_error(open_one, own_id, partner)
        partnership = Partnership(
            proposer_id=own_id,
            partner_id=partner_id,
            starts_on=starts_on,
            ends_on=ends_on,
            proposed_by=actor,
            proposed_at=now,
        )
        try:
            with transaction.atomic():  # a savepoint: the error is answered, not a 500
                partnership.save()
        except IntegrityError as error:  # the other side proposed at the same moment
            raise _refused(
                Conflict,
                "partner",
                _("There is already an agreement with this organisation."),
                Code.OPEN_EXISTS,
            ) from error
        _notify_coordinators(partner_id, event="proposed", by=organisations[own_id])
    return partnership


def partnership_accept(*, actor, partnership_id) -> Partnership:
    own_id = _require_coordinator(actor)
    with transaction.atomic():
        partnership = _lock_for_actor(partnership_id, own_id)
        if partnership.ended_at is not None:
            raise _refused(
                Conflict,
                None,
                _("This proposal has ended: it can no longer be accepted."),
                Code.ENDED,
            )
        if partnership.accepted_at is not None:
            raise _refused(
                Conflict, None, _("This partnership is already accepted."), Code.ACCEPTED
            )
        if partnership.proposer_id == own_id:
            raise _refused(
                ServiceError,
                None,
                _("Your organisation proposed this partnership: the other side accepts it."),
                Code.OWN_PROPOSAL,
            )
        if partnership.ends_on is not None and partnership.ends_on < timezone.localdate():
            raise _refused(
                Conflict,
                None,
                _("This proposal's end date has passed. Propose a new partnership instead."),
                Code.LAPSED,
            )
        partnership.accepted_by = actor
        partnership.accepted_at = timezone.now()
        partnership.save(update_fields=["accepted_by", "accepted_at"])
        _notify_coordinators(
            partnership.proposer_id, event="accepted", by=Organisation.objects.get(pk=own_id)
        )
        _partners_changed(partnership.proposer_id, partnership.partner_id)
    return partnership


def partnership_end(*, actor, partnership_id, reason: str = "") -> Partnership:
    """End an agreement now, or decline (or withdraw) a proposal. Listings stop showing to
    the other side at once; reservations already made stay valid to their end."""
    own_id = _require_coordinator(actor)
    reason = inputs.plain_text(reason or "", max_length=MAX_REASON).strip()
    with transaction.atomic():
        partnership = _lock_for_actor(partnership_id, own_id)
        if partnership.ended_at is not None:
            raise _refused(Conflict, None, _("This partnership has already ended."), Code.ENDED)
        was_accepted = partnership.accepted_at is not None
        partnership.ended_by = actor
        partnership.ended_at = timezone.now()
        partnership.save(update_fields=["ended_by", "ended_at"])
        if not was_accepted:
            event = "withdrawn" if partnership.proposer_id == own_id else "declined"
        else:
            event = "ended"
        _notify_coordinators(
            _other_side(partnership, own_id),
            event=event,
            by=Organisation.objects.get(pk=own_id),
            reason=reason,
        )
        _partners_changed(partnership.proposer_id, partnership.partner_id)
    return partnership


def _partners_changed(*organisation_ids: int) -> None:
    """Who sees whose listings changed: open sockets regroup, and the catalogue's cached
    department and unit choices (own and partners' organisations) are made again."""
    for organisation_id in organisation_ids:
        live.regroup_organisation(organisation_id)
    transaction.on_commit(hooks.organisation_changed)


def region_members_changed(*, region_id) -> None:
    """After the administrators change a region's members: everyone who is or was a member
    reconnects, so their sockets carry the partners they have now."""
    with transaction.atomic():
        members = RegionMembership.objects.filter(region_id=region_id).values_list(
            "organisation_id", flat=True
        )
        _partners_changed(*set(members))
