"""Reads about signing in: a user's sessions, and the coordinator's users page."""

from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _

from ..common.inputs import plain_text
from .models import SignInMethod, User, UserSession
from .roles import ROLE_LABELS, ROLES


def user_session_keys(*, user: User | None = None, provider_session_id: str = "") -> list[str]:
    """The keys of the sessions signed in through an identity provider's session (its
    back-channel logout names the "sid"), of that user only if given; or all of the user's.
    For services.user_sessions_end."""
    rows = UserSession.objects.all()
    if user is not None:
        rows = rows.filter(user_id=user.pk)
    if provider_session_id:
        rows = rows.filter(provider_session_id=provider_session_id)
    elif user is None:
        return []
    return list(rows.values_list("session_key", flat=True))


USERS_PAGE_SIZE = 50


def organisation_users(*, organisation_id: int, text: str = "", page_number=1):
    """A page of the organisation's users (only its own: through their unit), newest
    sign-in first and those who never signed in last, each with `role_labels` and
    `signed_in_how` ("Password", the identity provider's name, or "Never").

    Three queries whatever the page size: the count, the page with units, their roles.
    """
    users = (
        # Not the accounts that service tokens act through: the tokens page lists those.
        User.objects.filter(
            unit__department__organisation_id=organisation_id, service_token__isnull=True
        )
        .select_related("unit__department")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=ROLES), to_attr="roles")
        )
        .order_by(F("last_login").desc(nulls_last=True), "full_name", "pk")
    )
    text = " ".join(plain_text(text, max_length=100).split())
    if text:
        users = users.filter(
            Q(full_name__icontains=text)
            | Q(email__icontains=text)
            | Q(unit__name__icontains=text)
            | Q(unit__name_sv__icontains=text)
            | Q(unit__name_en__icontains=text)
        )
    page = Paginator(users, USERS_PAGE_SIZE).get_page(page_number)
    for user in page:
        names = {group.name for group in user.roles}
        user.role_labels = [label for role, label in ROLE_LABELS.items() if role in names]
        user.signed_in_how = _signed_in_how(user)
    return page


def _signed_in_how(user: User) -> str:
    if user.last_login is None:
        return _("Never")
    if user.last_sign_in_method == SignInMethod.SSO:
        return user.last_sign_in_provider or SignInMethod.SSO.label
    if user.last_sign_in_method == SignInMethod.PASSWORD:
        return _("Password")
    return ""  # signed in before the method was recorded
