"""Signing in and out, and ending a user's sessions: one home for the password login, single
sign-on (accounts/sso) and the deactivation of an account. Re-exported by accounts.services.

Each sign-in leaves a UserSession row with its session's key, so the sessions can be found
and ended: deleted from the session store (its pages are signed out at their next request)
and their open websockets closed with 4401 at once, in every server process
(live.recheck_user: each socket of the user reads its own session again).
"""

from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kierratys import live

from .errors import AccountError as Code
from .models import SignInMethod, User, UserSession

# The backend that loads a signed-in user for each request (with their unit).
SESSION_BACKEND = "kierratys.accounts.backends.UnitAwareBackend"


def _field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def user_signed_in(
    *,
    request,
    user: User,
    method: str,
    provider_name: str = "",
    provider_session_id: str = "",
) -> None:
    """Sign the user in on this request's session and record how.

    `user` has been authenticated already: by its password (the login form), or by an
    identity provider (method "sso", `provider_name` its display name, `provider_session_id`
    its OIDC "sid" when it sends one, for its back-channel logout). django.contrib.auth.login
    gives the session a new key unless the same person was signed in on it already, so the
    row is written after it, under the key the browser keeps.
    """
    if method not in SignInMethod.values:
        raise ValueError(f"unknown sign-in method {method!r}")
    provider_name = provider_name.strip() if method == SignInMethod.SSO else ""
    provider_session_id = provider_session_id.strip() if method == SignInMethod.SSO else ""
    if method == SignInMethod.SSO and not provider_name:
        raise ValueError("single sign-on needs the provider's name")
    if not user.is_active:
        raise ValidationError(_("This account is not active."), code=Code.INACTIVE)
    provider_name = provider_name[: _field_length(User, "last_sign_in_provider")]
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    session = request.session
    previous_key = session.session_key
    with transaction.atomic():
        # Sets last_login (Django's own receiver) and, mostly, a new session key.
        auth.login(request, user, backend=getattr(user, "backend", None) or SESSION_BACKEND)
        if session.session_key is None:  # flushed (another user was signed in): save it now
            session.save()
        if previous_key and previous_key != session.session_key:
            # That key is gone. If it was someone else's, their sockets on it close now.
            gone = UserSession.objects.filter(session_key=previous_key)
            for other_id in gone.exclude(user_id=user.pk).values_list("user_id", flat=True):
                live.recheck_user(other_id)
            gone.delete()
        UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={
                "user": user,
                "method": method,
                "provider_name": provider_name,
                "provider_session_id": provider_session_id[
                    : _field_length(UserSession, "provider_session_id")
                ],
                "user_agent": user_agent[: _field_length(UserSession, "user_agent")],
            },
        )
        User.objects.filter(pk=user.pk).update(
            last_sign_in_method=method, last_sign_in_provider=provider_name
        )
    user.last_sign_in_method, user.last_sign_in_provider = method, provider_name


def user_signed_out(*, request) -> None:
    """Sign out this request's session (the sign-out button); the user's other sessions stay.

    Its open websockets close with 4401 at once rather than at their next re-check.
    """
    user, key = request.user, request.session.session_key
    with transaction.atomic():
        auth.logout(request)  # flushes the session from the store
        if user.is_authenticated:
            if key:
                UserSession.objects.filter(session_key=key).delete()
            live.recheck_user(user.pk)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_sessions_end(*, user: User, session_keys: list[str] | None = None) -> int:
    """End all of the user's sessions, or only those of `session_keys` that are the user's.

    Each is deleted from the session store, so its next request is signed out, and its
    row goes; the user's open websockets read their session again once this commits and
    those whose session was ended close with 4401. Returns how many sessions ended.
    """
    with transaction.atomic():
        rows = UserSession.objects.select_for_update().filter(user_id=user.pk)
        if session_keys is not None:
            rows = rows.filter(session_key__in=[key for key in session_keys if key])
        keys = list(rows.values_list("session_key", flat=True))
        if not keys:
            return 0
        store = _session_store()()
        for key in keys:
            store.delete(key)
        UserSession.objects.filter(session_key__in=keys).delete()
        live.recheck_user(user.pk)
    return len(keys)


def user_password_changed(*, request, user: User) -> None:
    """After the user changed their password on this session (the form has saved it): this
    session stays signed in under a new key; the user's other sessions end (their pages
    would be signed out at their next request anyway: the password's hash changed)."""
    old_key = request.session.session_key
    with transaction.atomic():
        auth.update_session_auth_hash(request, user)  # gives the session a new key
        key = request.session.session_key
        if old_key and key != old_key:
            UserSession.objects.filter(user_id=user.pk, session_key=old_key).update(session_key=key)
        others = UserSession.objects.filter(user_id=user.pk).exclude(session_key=key)
        user_sessions_end(
            user=user, session_keys=list(others.values_list("session_key", flat=True))
        )


def user_sessions_clean() -> int:
    """A periodic job: expired sessions leave the store (Django's clearsessions), and the
    records of sessions that are gone, by expiry or otherwise, go with them. Returns how
    many records went."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.contrib.sessions.models import Session
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    store = _session_store()
    store.clear_expired()
    if issubclass(store, DatabaseStore) and store.get_model_class() is Session:
        living = Session.objects.filter(
            session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
        )
        return UserSession.objects.filter(~Exists(living)).delete()[0]
    keys = UserSession.objects.values_list("session_key", flat=True)[:10_000]
    gone = [key for key in keys if not store().exists(key)]
    return UserSession.objects.filter(session_key__in=gone).delete()[0]
