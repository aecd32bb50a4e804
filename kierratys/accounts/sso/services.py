"""Writes: signing someone in through their organisation's provider, and the provider
ending their sessions.

The token exchange and its checks (client.py) happen before any of this, outside a
transaction; here one transaction provisions or updates the account from the mapped
claims (mapping.py) and opens the session.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from kierratys import live

from .. import services as account_services
from ..models import SignInMethod, Unit, User, UserSession
from .errors import SsoError
from .mapping import Arrival
from .models import ExternalIdentity, IdentityProvider
from .selectors import PROVIDER_KEY


class UnitNeeded(Exception):
    """Neither the claims nor an earlier sign-in name the unit: the person picks it once."""


def _unit_for(arrival: Arrival, provider: IdentityProvider) -> Unit | None:
    if arrival.unit_id is None:
        return None
    return (
        Unit.objects.filter(
            pk=arrival.unit_id,
            is_active=True,
            department__organisation=provider.organisation_id,
        )
        .select_related("department")
        .first()
    )


def _account_for(arrival: Arrival, provider: IdentityProvider, identity) -> User | None:
    """The account the arrival signs in to: the linked one, or an unlinked one with the
    same address in this organisation (a password account moving to single sign-on)."""
    if identity is not None:
        return User.objects.select_for_update().get(pk=identity.user_id)
    user = User.objects.select_for_update().filter(email=arrival.email).first()
    if user is None:
        return None
    foreign_unit = (
        user.unit_id is not None
        and not Unit.objects.filter(
            pk=user.unit_id, department__organisation=provider.organisation_id
        ).exists()
    )
    linked = ExternalIdentity.objects.filter(provider=provider, user=user).exists()
    if foreign_unit or linked or user.is_superuser:
        raise SsoError(SsoError.LINKED_ELSEWHERE)
    return user


def sso_sign_in(*, request, provider: IdentityProvider, arrival: Arrival) -> User:
    """Provision or update the account from what the provider said, and sign it in.

    The provider owns the address and the name, and, where it maps groups, the roles and
    the unit: they follow it on every sign-in. Raises UnitNeeded (nothing written) when
    a new person must pick their unit first, SsoError when they may not come in.
    """
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        if not provider.enabled:
            raise SsoError(SsoError.DISABLED)
        identity = (
            ExternalIdentity.objects.select_for_update()
            .filter(provider=provider, subject=arrival.subject)
            .first()
        )
        user = _account_for(arrival, provider, identity)
        if user is not None and not user.is_active and user.email_verified_at is not None:
            raise SsoError(SsoError.INACTIVE)  # switched off by a coordinator
        unit = _unit_for(arrival, provider)
        if unit is None and (user is None or user.unit_id is None):
            raise UnitNeeded
        new = user is None
        user = user or User(email=arrival.email, language=request.LANGUAGE_CODE or "")
        user.email, user.full_name = arrival.email, arrival.full_name
        if unit is not None and user.unit_id != unit.pk:
            user.unit = unit
        user.is_active = True
        user.email_verified_at = user.email_verified_at or timezone.now()
        if new:
            user.set_unusable_password()
        try:
            with transaction.atomic():  # another account may hold the provider's new address
                user.save()
        except IntegrityError as error:
            raise SsoError(SsoError.LINKED_ELSEWHERE) from error
        if arrival.roles is not None:
            account_services.roles_write(user, arrival.roles)
        elif new:
            account_services.roles_write(user, [])
        elif unit is not None:
            live.regroup_user(user.pk)  # another unit: their pages reconnect for it
        now = timezone.now()
        if identity is None:
            identity = ExternalIdentity.objects.create(
                provider=provider, subject=arrival.subject, user=user, first_signed_in_at=now
            )
        identity.last_signed_in_at = now
        identity.save(update_fields=["last_signed_in_at"])
        account_services.user_signed_in(
            request=request,
            user=user,
            method=SignInMethod.SSO,
            provider_name=provider.name,
            provider_session_id=arrival.sid,
        )
        request.session[PROVIDER_KEY] = provider.pk  # for signing out at the provider too
    return user


def sso_back_channel_logout(*, provider: IdentityProvider, subject: str, sid: str) -> int:
    """The provider says a session of theirs ended: end the sessions it opened here, or
    all of the person's sessions when it names no session; their open pages' sockets
    close. A logout for someone we do not know through this provider ends nothing."""
    sessions = UserSession.objects.filter(user__external_identities__provider=provider)
    if subject:
        sessions = sessions.filter(user__external_identities__subject=subject)
    if sid:
        sessions = sessions.filter(provider_session_id=sid)
    elif not subject:
        return 0
    by_user: dict[int, list[str]] = {}
    for user_id, key in sessions.values_list("user", "session_key"):
        by_user.setdefault(user_id, []).append(key)
    ended = 0
    for user in User.objects.filter(pk__in=by_user):
        # Without a sid: every session of the person, password ones too.
        keys = by_user[user.pk] if sid else None
        ended += account_services.user_sessions_end(user=user, session_keys=keys)
    return ended
