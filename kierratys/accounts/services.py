"""Write side of accounts and organisation."""

import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from kierratys import live
from kierratys.common import mail

from .errors import AccountError as Code
from .identity import email_key
from .models import EmailDomain, Organisation, PasswordResetRequest, Unit, User
from .roles import COORDINATOR, ROLES, STAFF, is_coordinator, same_organisation
from .signin_services import (  # noqa: F401  (signing in and out lives there)
    user_password_changed,
    user_sessions_clean,
    user_sessions_end,
    user_signed_in,
    user_signed_out,
)
from .sso import selectors as sso_selectors
from .tokens import email_verification_token

# The local parts city mail systems hand out: firstname.lastname and the like. Quoting,
# `%` and `!` routing, `+` sub-addresses and non-ASCII letters are refused: a domain's
# mail server may route such an address elsewhere, or deliver look-alikes to one mailbox.
# Finnish public-sector addresses transliterate ä/ö/å, so nobody needs more; an IDN
# domain would be configured and typed in its ASCII (xn--) form.
_LOCAL_PART = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\Z")


def signup_email_check(email: str) -> str:
    """The address's key (identity.email_key) if it may sign up, else ValidationError."""
    key = email_key(email)
    local, at, domain = key.partition("@")
    if not at or "@" in domain or not key.isascii() or not _LOCAL_PART.match(local):
        raise ValidationError(
            _(
                "Enter your work email address in its usual form, for example "
                "firstname.lastname@%(domain)s: letters a–z without accents, digits, dots, "
                "hyphens and underscores, with no spaces, quotation marks or other signs."
            )
            % {"domain": settings.SIGNUP_EMAIL_DOMAINS[0]},
            code=Code.FORM,
        )
    organisation = _organisation_of_domain(domain)
    if organisation is None:
        raise ValidationError(
            _("Sign-up is only open to the email addresses of the organisations in the service."),
            code=Code.DOMAIN,
        )
    if not sso_selectors.passwords_allowed_in(organisation):
        raise ValidationError(
            _(
                "%(organisation)s signs its staff in with its own accounts: no sign-up is "
                "needed. Sign in with your organisation's account; your account here is "
                "made then."
            )
            % {"organisation": organisation.display_name},
            code=Code.SSO_ONLY,
        )
    return key


def _organisation_of_domain(domain: str) -> Organisation | None:
    found = (
        EmailDomain.objects.filter(domain=domain, organisation__is_active=True)
        .select_related("organisation")
        .first()
    )
    return found.organisation if found else None


def _check_unit_of_email(unit: Unit, email: str) -> None:
    """An address signs up to a unit of the organisation its domain belongs to."""
    organisation = _organisation_of_domain(email.partition("@")[2])
    if organisation is None or unit.department.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "unit": ValidationError(
                    _("Choose a unit of your own organisation (%(organisation)s).")
                    % {"organisation": organisation.display_name if organisation else "—"},
                    code=Code.OTHER_ORGANISATION,
                )
            }
        )


def _verification_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return settings.SITE_URL + reverse("verify_email", args=[uid, token])


def _awaiting_verification(user: User) -> bool:
    return not user.is_active and user.email_verified_at is None


def user_sign_up(*, email: str, full_name: str, phone: str, unit: Unit, language: str) -> None:
    """Email a verification link; the owner of the address chooses the password there.

    A pending (never verified) account for the address takes the latest details and
    gets a fresh link, so an earlier sign-up by someone else never blocks the owner.
    When the address has a verified account nothing changes and its owner is told
    instead, so the form never reveals who has an account.
    """
    email = signup_email_check(email)
    with transaction.atomic():
        unit = (
            Unit.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=unit.pk)
        )
        if not unit.is_active:
            raise ValidationError(_("This unit is no longer active. Choose another unit."))
        _check_unit_of_email(unit, email)
        user = User.objects.select_for_update().filter(email=email).first()
        if user is not None and not _awaiting_verification(user):
            mail.send_later(
                to=user.email,
                template="signup_existing",
                context={"reset_url": settings.SITE_URL + reverse("password_reset")},
                language=user.language or language,
            )
            return
        new = user is None
        user = user or User(email=email)
        user.full_name, user.phone, user.unit = full_name.strip(), phone.strip(), unit
        user.language = language
        user.is_active = False
        user.set_unusable_password()  # a new random value: earlier links stop working
        try:
            with transaction.atomic():  # a savepoint: two sign-ups may race for a new address
                user.save()
        except IntegrityError:
            if not new:
                raise
            return  # the sign-up that got there first has sent the link to the same address
        mail.send_later(
            to=user.email,
            template="verify_email",
            context={"verify_url": _verification_url(user)},  # no name: it is not yet the owner's
            language=language,
        )


def user_verify_email(
    *, user_id: int, token: str, full_name: str, phone: str, unit: Unit, password: str
) -> User:
    """Activate the account behind a verification link with the owner's own details.

    Each link works once. `password` has been validated by the form.
    """
    with transaction.atomic():
        unit = (
            Unit.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=unit.pk)
        )
        if not unit.is_active:
            raise ValidationError(_("This unit is no longer active. Choose another unit."))
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if (
            user is None
            or not _awaiting_verification(user)
            or not email_verification_token.check_token(user, token)
        ):
            raise ValidationError(
                _("This verification link is invalid, expired or already used."),
                code=Code.INVALID_LINK,
            )
        _check_unit_of_email(unit, user.email)
        user.full_name, user.phone, user.unit = full_name.strip(), phone.strip(), unit
        user.set_password(password)
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save()
        user.groups.add(Group.objects.get(name=STAFF))
    return user


def _limit_hash(kind: str, value: str) -> str:
    return salted_hmac(f"kierratys.password-reset.{kind}", value).hexdigest()


def password_reset_request(*, email: str, client_address: str, language: str) -> None:
    """Queue a password-reset mail for the address, within the per-address and
    per-client limits (ValidationError code "rate_limited" beyond them).

    The request does the same work for every address: the limit check, one row and one
    queued task. Whether an account exists is only looked at by the worker.
    """
    key = email_key(email)
    address, client = _limit_hash("address", key), _limit_hash("client", client_address)
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_LIMIT_WINDOW
    with transaction.atomic():
        PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
        recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
        # Two requests at the same instant may both pass the count: a request more
        # or less in an hour does not matter for this limit, so nothing is locked.
        if (
            recent.filter(address_hash=address).count() >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
            or recent.filter(client_hash=client).count() >= settings.PASSWORD_RESET_LIMIT_PER_CLIENT
        ):
            raise ValidationError(
                _(
                    "Too many password reset requests. Wait an hour and try again, or "
                    "contact support."
                ),
                code=Code.RATE_LIMITED,
            )
        PasswordResetRequest.objects.create(
            address_hash=address, client_hash=client, requested_at=now
        )
        password_reset_mail.enqueue(email=key, language=language)


@task()
def password_reset_mail(*, email: str, language: str) -> None:
    """The worker's half of a reset request: a link for each active account with the
    address, in the account's language, queued as an ordinary mail (with retries)."""
    for user in User.objects.filter(email=email, is_active=True):
        if not user.has_usable_password() or not sso_selectors.passwords_allowed_for(user):
            continue  # signs in through the organisation's provider only
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        url = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
        mail.send_later(
            to=user.email,
            template="password_reset",
            context={"site_name": settings.SERVICE_NAME, "reset_url": url},
            language=user.language or language,
        )


def _check_may_manage(actor: User, user: User) -> None:
    """Coordinators manage accounts of their own organisation up to their own level: never
    a superuser's, never another organisation's."""
    if actor.is_superuser:
        return
    if not is_coordinator(actor) or user.is_superuser or not same_organisation(actor, user):
        raise ValidationError(_("You cannot change this account."), code=Code.FORBIDDEN)


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Coordinators switch accounts on and off. Nobody can switch themselves off.

    Switching off ends the account's sessions (user_sessions_end): its pages are signed
    out and its open websockets closed with 4401. Sessions from before the sign-in record
    are refused anyway: the backend signs in active accounts only.
    """
    _check_may_manage(actor, user)
    if active is False and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = active
        if active and user.email_verified_at is None:
            user.email_verified_at = timezone.now()
        user.save(update_fields=["is_active", "email_verified_at"])
        if active:
            user.groups.add(Group.objects.get(name=STAFF))
            live.regroup_user(user.pk)
        else:
            user_sessions_end(user=user)
            live.recheck_user(user.pk)  # also sockets of sessions without a row
    return user


def user_set_roles(*, actor: User, user: User, roles: list[str]) -> User:
    """Set the user's extra roles. Staff is always kept; coordinators get admin access.

    Every role is one a coordinator holds or may hand out; admin access follows the
    coordinator role alone, and the superuser flag is never set here.
    """
    _check_may_manage(actor, user)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))})
    currently_coordinator = user.groups.filter(name=COORDINATOR).exists()
    if actor.pk == user.pk and currently_coordinator and COORDINATOR not in roles:
        raise ValidationError(_("You cannot remove your own coordinator role."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        # Also after the admin saves a new unit: the user admin sets roles on every save.
        roles_write(user, roles)
    return user


def roles_write(user: User, roles) -> None:
    """Give a locked user exactly these roles, staff always among them; admin access
    follows the coordinator role. Also for roles an identity provider's groups give
    (kierratys.accounts.sso). Their open pages reconnect for what the roles let them hear."""
    wanted = set(roles) | {STAFF}
    keep = user.groups.exclude(name__in=ROLES)
    user.groups.set([*keep, *Group.objects.filter(name__in=wanted)])
    user.is_staff = COORDINATOR in wanted or user.is_superuser
    user.save(update_fields=["is_staff"])
    live.regroup_user(user.pk)
    user._role_names = None


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language so emails reach the user in it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unsupported language."))
    User.objects.filter(pk=user.pk).update(language=language)


def user_profile_update(*, user: User, full_name: str, phone: str, language: str) -> User:
    """The user's own name, phone and language (the unit is the coordinators' to change)."""
    full_name, phone = full_name.strip(), phone.strip()
    errors = {}
    if not full_name:
        errors["full_name"] = _("Enter your name.")
    if len(full_name) > User._meta.get_field("full_name").max_length:
        errors["full_name"] = _("The name is too long.")
    if len(phone) > User._meta.get_field("phone").max_length:
        errors["phone"] = _("The phone number is too long.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Unsupported language.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if sso_selectors.identity_of(user=user) is not None:
            full_name = user.full_name  # the provider's, set on each sign-in
        user.full_name, user.phone, user.language = full_name, phone, language
        user.save(update_fields=["full_name", "phone", "language"])
    return user


def notices_mark_read(*, user: User) -> int:
    from .models import Notice

    with transaction.atomic():
        return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
