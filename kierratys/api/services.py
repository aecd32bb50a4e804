"""Writes for service tokens: create (the secret returned once), revoke, and the cheap
last-used mark."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.identity import email_key
from kierratys.accounts.models import Unit, User
from kierratys.accounts.roles import STAFF, WAREHOUSE, coordinators_organisation_id
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.limits import MAX_QUANTITY

from . import tokens
from .models import MAX_RATE_PER_MINUTE, ReuseCheck, Scope, ServiceToken

MAX_DAYS = 730  # two years at most: a token that never expires is never reviewed
LAST_USED_EVERY = timedelta(minutes=1)  # the last-used time is written at most this often


@dataclass
class Created:
    token: ServiceToken
    secret: str  # shown once, never stored


def token_create(
    *,
    actor,
    name: str,
    unit_id: int,
    scopes: list[str],
    days: int,
    rate_per_minute: int = 600,
    warehouse: bool = False,
) -> Created:
    """A token of the coordinator's organisation acting for `unit_id` (another
    organisation's unit is a 404); the secret is in the result and nowhere else.
    `warehouse`: its account also has the warehouse role (a warehouse system), so it sees
    and works the tasks of the organisation's warehouses as warehouse staff do; it needs
    the tasks scope."""
    organisation_id = coordinators_organisation_id(actor)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the system that uses it.")
    wanted = set(scopes)
    if not wanted or not wanted <= set(Scope.values):
        errors["scopes"] = _("Choose at least one scope.")
    if warehouse and Scope.TASKS not in wanted:
        errors["warehouse"] = _("The warehouse role is for tokens with the tasks scope.")
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("A token is valid for 1 to %(n)d days.") % {"n": MAX_DAYS}
    if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
        errors["rate_per_minute"] = _("Allow 1 to %(n)d requests a minute.") % {
            "n": MAX_RATE_PER_MINUTE
        }
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        unit = (
            Unit.objects.select_related("department")
            .filter(pk=unit_id, department__organisation_id=organisation_id, is_active=True)
            .first()
        )
        if unit is None:
            raise NotFound
        secret, prefix = tokens.new_secret()
        now = timezone.now()
        account = User.objects.create(
            email=email_key(f"{prefix.replace('_', '-')}@api-token.invalid"),
            full_name=f"API: {name}",  # stored: the same in every reader's language
            unit=unit,
            is_active=True,
            password=make_password(None),  # no password: it never signs in
        )
        account.groups.add(Group.objects.get_or_create(name=STAFF)[0])
        if warehouse:
            account.groups.add(Group.objects.get_or_create(name=WAREHOUSE)[0])
        token = ServiceToken.objects.create(
            organisation_id=organisation_id,
            unit=unit,
            account=account,
            name=name,
            scopes=" ".join(value for value in Scope.values if value in wanted),
            prefix=prefix,
            secret_hash=tokens.hash_of(secret),
            rate_per_minute=rate_per_minute,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    return Created(token=token, secret=secret)


def token_revoke(*, actor, token_id: int) -> ServiceToken:
    """Revoked at once and for good; its account can do nothing more either."""
    organisation_id = coordinators_organisation_id(actor)
    with transaction.atomic():
        token = (
            ServiceToken.objects.select_for_update()
            .filter(pk=token_id, organisation_id=organisation_id)
            .first()
        )
        if token is None:
            raise NotFound
        if token.revoked_at is not None:
            raise Conflict(_("This token is already revoked."))
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=token.account_id).update(is_active=False)
    return token


def token_touch(*, token: ServiceToken, now=None) -> None:
    """Mark the token used: one UPDATE a minute at most, none on most requests."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- the reuse check before buying (issue 19, item 6) -----------------------------------


@dataclass
class Checked:
    check: ReuseCheck
    listings: list  # the first matches (selectors.MAX_REUSE_MATCHES), most items first


def reuse_check_create(
    *, actor, category_id: int, quantity: int, needed_by, reference: str = ""
) -> Checked:
    """Before buying new: what the actor's unit could reserve instead (the catalogue's
    visibility and filters), recorded so that the reports can count checks and outcomes."""
    from .selectors import reuse_matches

    unit = actor.unit
    errors = {}
    if unit is None:
        raise ServiceError(_("Your account is not linked to a unit. Contact support."))
    if not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    if needed_by < timezone.localdate():
        errors["needed_by"] = _("The day it is needed cannot be in the past.")
    reference = " ".join((reference or "").split())
    if errors:
        raise ServiceError(errors)
    listings, found, items = reuse_matches(user=actor, category_id=category_id, needed_by=needed_by)
    with transaction.atomic():
        check = ReuseCheck.objects.create(
            organisation_id=unit.department.organisation_id,
            unit=unit,
            asked_by=actor,
            category_id=category_id,
            quantity=quantity,
            needed_by=needed_by,
            reference=reference[:100],
            listings_found=found,
            items_found=items,
            created_at=timezone.now(),
        )
    return Checked(check=check, listings=listings)


def reuse_check_outcome(
    *,
    actor,
    check_id: int,
    outcome: str,
    reason: str = "",
    reason_text: str = "",
    reservation_id: int | None = None,
) -> ReuseCheck:
    """What came of a check: reused items reserved (optionally which reservation), or
    bought new and why. Told once; another unit's check is a 404."""
    from reservations.selectors import reservation_for_user

    reason_text = " ".join((reason_text or "").split())
    errors = {}
    if outcome not in ReuseCheck.Outcome.values:
        errors["outcome"] = _("Say whether reused items were reserved or new ones bought.")
    elif outcome == ReuseCheck.Outcome.RESERVED:
        if reason or reason_text:
            errors["reason"] = _("A reason is given only when new was bought.")
    else:
        if reservation_id is not None:
            errors["reservation"] = _("A reservation is named only when reused items were.")
        if reason not in ReuseCheck.Reason.values:
            errors["reason"] = _("Choose why new was bought.")
        elif reason == ReuseCheck.Reason.OTHER and not reason_text:
            errors["reason_text"] = _("Say in a few words why new was bought.")
    if len(reason_text) > 500:
        errors["reason_text"] = _("At most 500 characters.")
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        check = (
            ReuseCheck.objects.select_for_update()
            .filter(pk=check_id, unit_id=getattr(actor, "unit_id", None) or 0)
            .first()
        )
        if check is None:
            raise NotFound
        if check.outcome:
            raise Conflict(_("What came of this check is already recorded."), code="recorded")
        if reservation_id is not None:
            reservation = reservation_for_user(user=actor, reservation_id=reservation_id)
            if reservation.unit_id != check.unit_id:
                raise NotFound
            check.reservation = reservation
        check.outcome = outcome
        check.reason = reason if outcome == ReuseCheck.Outcome.BOUGHT_NEW else ""
        check.reason_text = reason_text
        check.outcome_at = timezone.now()
        check.save(update_fields=["outcome", "reason", "reason_text", "reservation", "outcome_at"])
    return check
