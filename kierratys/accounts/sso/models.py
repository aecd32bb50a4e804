from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.models import Organisation, Unit, User
from kierratys.accounts.roles import ROLE_LABELS


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider (Entra ID, a Keycloak broker, ...)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("name on the sign-in button"),
        max_length=100,
        help_text=_('Shown as "Sign in with …", e.g. "Varha account".'),
    )
    slug = models.SlugField(_("short name in addresses"), max_length=50, unique=True)
    issuer = models.URLField(
        _("issuer"),
        max_length=300,
        help_text=_(
            "The provider's issuer URL; its settings are read from "
            "/.well-known/openid-configuration under it."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret = models.CharField(_("client secret"), max_length=500)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile")
    groups_claim = models.CharField(
        _("claim holding the groups"), max_length=100, blank=True, default="groups"
    )
    unit_claim = models.CharField(
        _("claim naming the unit"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty to map the unit from groups, or to let people pick it once."),
    )
    required_acr = models.CharField(
        _("required authentication level (acr)"),
        max_length=200,
        blank=True,
        help_text=_("For example multi-factor authentication; empty accepts any."),
    )
    allow_passwords = models.BooleanField(
        _("passwords allowed too"),
        default=True,
        help_text=_("Off: the organisation's staff can sign in only through this provider."),
    )
    enabled = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "issuer", "client_id"], name="provider_client_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class RoleMapping(models.Model):
    """Members of a provider's group get a role. Where a provider has mappings it is the
    source of truth: on each sign-in the roles follow the groups, and someone in none of
    the mapped groups is not let in."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings"
    )
    group = models.CharField(_("group"), max_length=200)
    role = models.CharField(_("role"), max_length=30, choices=list(ROLE_LABELS.items()))

    class Meta:
        verbose_name = _("group giving a role")
        verbose_name_plural = _("groups giving roles")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "group", "role"], name="role_mapping_unique"
            )
        ]

    def __str__(self):
        return f"{self.group} → {self.role}"


class UnitMapping(models.Model):
    """A value of the unit claim, or a group, that places its members in a unit."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="unit_mappings"
    )
    value = models.CharField(_("claim value or group"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, verbose_name=_("unit"))

    class Meta:
        verbose_name = _("unit from the provider")
        verbose_name_plural = _("units from the provider")
        constraints = [
            models.UniqueConstraint(fields=["provider", "value"], name="unit_mapping_unique")
        ]

    def __str__(self):
        return f"{self.value} → {self.unit}"


class ExternalIdentity(models.Model):
    """A person as the provider knows them: the subject is theirs for good, the address
    may change."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="identities"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    first_signed_in_at = models.DateTimeField(default=timezone.now)
    last_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account at a provider")
        verbose_name_plural = _("accounts at providers")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_subject_unique"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_user_unique"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.subject}"
