from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..common.names import NameInLanguages
from .identity import email_key
from .organisations import (
    validate_brand_colour,
    validate_business_id,
    validate_impact_overrides,
)


def _all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _department_days() -> int:
    return settings.VISIBILITY_DEPARTMENT_DAYS


def _organisation_days() -> int:
    return settings.VISIBILITY_ORGANISATION_DAYS


def _partner_days() -> int:
    return settings.VISIBILITY_PARTNER_DAYS


class Organisation(NameInLanguages):
    """A legal entity that uses the service: a municipality, a wellbeing services county, a
    municipal company... Its departments, units and people are its own; what was a setting
    for "the municipality" is its field, with the environment giving only the defaults."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        WELLBEING_COUNTY = "wellbeing_county", _("Wellbeing services county")
        COMPANY = "company", _("Municipal company or joint authority")
        UNIVERSITY = "university", _("University")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        unique=True,
        validators=[validate_business_id],
        help_text=_("Y-tunnus, for example 0204819-8."),
    )
    languages = models.JSONField(
        _("languages offered"),
        default=_all_languages,
        help_text=_('Language codes, for example ["fi", "sv"].'),
    )
    support_email = models.EmailField(_("support email"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#0b4f6c",
        validators=[validate_brand_colour],
        help_text=_("The header's background under white text, for example #0b4f6c."),
    )
    impact_overrides = models.JSONField(
        _("impact factor overrides"),
        default=dict,
        blank=True,
        validators=[validate_impact_overrides],
        help_text=_(
            "Per category identifier, figures that replace the category's own in this "
            "organisation's listings, for example "
            '{"office-chairs": {"typical_weight_kg": 12, "co2e_kg_per_item": 35}}.'
        ),
    )
    department_days = models.PositiveSmallIntegerField(
        _("days shown to the department"), default=_department_days
    )
    organisation_days = models.PositiveSmallIntegerField(
        _("days shown to the whole organisation"), default=_organisation_days
    )
    partner_days = models.PositiveSmallIntegerField(
        _("days shown to partners"), default=_partner_days
    )
    # Set by its coordinator (kierratys/reports/open_data.py): the monthly impact figures are
    # published without sign-in under CC BY 4.0 from then on. Empty: not published.
    open_data_since = models.DateTimeField(
        _("impact published as open data since"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.display_name


class EmailDomain(models.Model):
    """A domain whose addresses may sign up, and to which organisation they belong."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="email_domains",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("email domain"), max_length=253)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("sign-up email domain")
        verbose_name_plural = _("sign-up email domains")
        constraints = [
            # One owner per domain, whatever its case: an address belongs to one organisation.
            models.UniqueConstraint(Lower("domain"), name="emaildomain_unique_domain"),
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="emaildomain_lowercase"
            ),
        ]

    def __str__(self):
        return self.domain


class Department(NameInLanguages):
    """A department of an organisation (Education, Social and Health...)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("organisation"),
    )

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("short code"), max_length=20)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            # Every city has its "Education": names and codes are unique within one.
            models.UniqueConstraint(fields=["organisation", "name"], name="department_unique_name"),
            models.UniqueConstraint(fields=["organisation", "code"], name="department_unique_code"),
        ]

    def __str__(self):
        return self.display_name


class Unit(NameInLanguages):
    """A place where people work: a school, a day-care centre, an office."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    district = models.CharField(_("city district"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.city}"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    SSO = "sso", _("Single sign-on")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email_key(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, is_active=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        # Exact match on the stored key: no database case folding the throttle misses.
        return self.get(email=email_key(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the service; signs in with their work email."""

    # Always stored as identity.email_key(address): every form and service writes it so.
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    language = models.CharField(_("language"), max_length=5, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    is_staff = models.BooleanField(
        _("admin access"),
        default=False,
        help_text=_("Can use the administration pages (coordinators)."),
    )
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # With Django's last_login (the time): how, and through whom, the user last signed in.
    last_sign_in_method = models.CharField(
        _("last signed in with"), max_length=20, choices=SignInMethod.choices, blank=True
    )
    last_sign_in_provider = models.CharField(
        _("last identity provider"), max_length=200, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(last_sign_in_method__in=["", *SignInMethod.values]),
                name="user_sign_in_method_known",
            ),
            # A provider's name only with single sign-on.
            models.CheckConstraint(
                condition=models.Q(last_sign_in_method=SignInMethod.SSO)
                | models.Q(last_sign_in_provider=""),
                name="user_sign_in_provider_only_sso",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class UserSession(models.Model):
    """One signed-in browser: its session's key, so the user's sessions can be found and
    ended (accounts.services.user_sessions_end). Written by user_signed_in, removed on
    sign-out and when a session is ended."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("user")
    )
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(_("signed in with"), max_length=20, choices=SignInMethod.choices)
    provider_name = models.CharField(_("identity provider"), max_length=200, blank=True)
    # The identity provider's own session id (OIDC "sid"), for its back-channel logout.
    provider_session_id = models.CharField(max_length=255, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sign-in session")
        verbose_name_plural = _("sign-in sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=SignInMethod.values), name="usersession_method_known"
            ),
            models.CheckConstraint(
                condition=models.Q(method=SignInMethod.SSO)
                | (models.Q(provider_name="") & models.Q(provider_session_id="")),
                name="usersession_provider_only_sso",
            ),
        ]
        indexes = [
            models.Index(
                fields=["provider_session_id"],
                condition=~models.Q(provider_session_id=""),
                name="usersession_provider_sid_idx",
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.method} {self.created_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """An in-app notice ("a chair matching your saved search was listed")."""

    class Kind(models.TextChoices):
        SEARCH_MATCH = "search_match", _("Saved search match")
        PARTNERSHIP = "partnership", _("Partnership")
        AUDIENCE_ENDED = "audience_ended", _("Last audience stage ended")
        WANTED_MATCH = "wanted_match", _("Wanted request match")
        WANTED_ANSWER = "wanted_answer", _("Wanted request answered")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notice_unread_idx"
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.user_id}"


class PasswordResetRequest(models.Model):
    """One request for a password-reset link, kept only for the rate limit's window.

    A database table rather than a per-process cache, so the limit holds across server
    processes. Keyed hashes, not the address or IP: the limit counts them, it need not
    know them.
    """

    address_hash = models.CharField(max_length=64)
    client_hash = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address_hash", "requested_at"], name="reset_address_idx"),
            models.Index(fields=["client_hash", "requested_at"], name="reset_client_idx"),
            models.Index(fields=["requested_at"], name="reset_time_idx"),
        ]

    def __str__(self):
        return f"password reset request {self.requested_at:%Y-%m-%d %H:%M}"
