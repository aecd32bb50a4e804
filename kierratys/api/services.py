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
from kierratys.accounts.roles import STAFF, coordinators_organisation_id
from kierratys.common.errors import Conflict, NotFound, ServiceError

from . import tokens
from .models import MAX_RATE_PER_MINUTE, Scope, ServiceToken

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
) -> Created:
    """A token of the coordinator's organisation acting for `unit_id` (another
    organisation's unit is a 404); the secret is in the result and nowhere else."""
    organisation_id = coordinators_organisation_id(actor)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the system that uses it.")
    wanted = set(scopes)
    if not wanted or not wanted <= set(Scope.values):
        errors["scopes"] = _("Choose at least one scope.")
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
