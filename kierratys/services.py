"""Write side of accounts and organisation."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import live, mail
from .models import Unit, User
from .roles import COORDINATOR, ROLES, STAFF
from .tokens import email_verification_token


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in settings.SIGNUP_EMAIL_DOMAINS


def _verification_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return settings.SITE_URL + reverse("verify_email", args=[uid, token])


def user_sign_up(
    *, email: str, full_name: str, phone: str, unit: Unit, password: str, language: str
) -> User | None:
    """Create an inactive account and email its verification link.

    When the address is already registered nothing is created and the owner of the
    address is told instead, so the form never reveals who has an account.
    """
    email = email.strip().lower()
    if not email_domain_allowed(email):
        raise ValidationError(_("Sign-up is only open to the city's own email addresses."))
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if not unit.is_active:
            raise ValidationError(_("This unit is no longer active. Choose another unit."))
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            mail.send_later(
                to=existing.email,
                template="signup_existing",
                context={"reset_url": settings.SITE_URL + reverse("password_reset")},
                language=existing.language or language,
            )
            return None
        user = User(email=email, full_name=full_name.strip(), phone=phone.strip(), unit=unit)
        user.language = language
        user.is_active = False
        user.set_password(password)
        user.save()
        mail.send_later(
            to=user.email,
            template="verify_email",
            context={"name": user.full_name, "verify_url": _verification_url(user)},
            language=language,
        )
    return user


def user_verify_email(*, user_id: int, token: str) -> User:
    """Activate the account behind a verification link. Each link works once."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if (
            user is None
            or user.email_verified_at is not None
            or not email_verification_token.check_token(user, token)
        ):
            raise ValidationError(
                _("This verification link is invalid, expired or already used."),
                code="invalid_link",
            )
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
        user.groups.add(Group.objects.get(name=STAFF))
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Coordinators switch accounts on and off. Nobody can switch themselves off."""
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
    return user


def user_set_roles(*, actor: User, user: User, roles: list[str]) -> User:
    """Set the user's extra roles. Staff is always kept; coordinators get admin access."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))})
    currently_coordinator = user.groups.filter(name=COORDINATOR).exists()
    if actor.pk == user.pk and currently_coordinator and COORDINATOR not in roles:
        raise ValidationError(_("You cannot remove your own coordinator role."))
    wanted = set(roles) | {STAFF}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        keep = user.groups.exclude(name__in=ROLES)
        user.groups.set([*keep, *Group.objects.filter(name__in=wanted)])
        user.is_staff = COORDINATOR in wanted or user.is_superuser
        user.save(update_fields=["is_staff"])
        # Also after the admin saves a new unit: the user admin sets roles on every save.
        live.regroup_user(user.pk)
    user._role_names = None
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language so emails reach the user in it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unsupported language."))
    User.objects.filter(pk=user.pk).update(language=language)


def notices_mark_read(*, user: User) -> int:
    from .models import Notice

    with transaction.atomic():
        return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
