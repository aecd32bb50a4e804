"""Reads: which provider signs an address in, and where an account comes from."""

from urllib.parse import urlsplit

from kierratys.common.errors import NotFound

from ..identity import email_key
from ..models import EmailDomain, Organisation, User
from .models import ExternalIdentity, IdentityProvider

PROVIDER_KEY = "sso_provider"  # in the session: which provider signed it in

# What the provider says on every sign-in; the profile shows them read-only.
PROVIDER_OWNED_FIELDS = ("email", "full_name")


def providers_enabled():
    return IdentityProvider.objects.filter(
        enabled=True, organisation__is_active=True
    ).select_related("organisation")


def provider_by_slug(*, slug: str) -> IdentityProvider:
    provider = providers_enabled().filter(slug=slug).first()
    if provider is None:
        raise NotFound
    return provider


def providers_for_login() -> list[IdentityProvider]:
    """One button per provider on the sign-in page."""
    return list(providers_enabled().order_by("organisation__name", "name"))


def provider_for_email(email: str) -> IdentityProvider | None:
    """Home-realm discovery: the provider of the organisation the address's domain
    belongs to (its first, when it has several)."""
    domain = email_key(email or "").rpartition("@")[2]
    if not domain:
        return None
    organisation_ids = EmailDomain.objects.filter(domain=domain).values("organisation_id")
    return (
        providers_enabled().filter(organisation__in=organisation_ids).order_by("name", "pk").first()
    )


def passwords_allowed_in(organisation: Organisation | int | None) -> bool:
    """False when the organisation signs its staff in only through its provider."""
    if organisation is None:
        return True
    return not (
        providers_enabled().filter(organisation=organisation, allow_passwords=False).exists()
    )


def passwords_allowed_for(user: User) -> bool:
    """May this account sign in with a password? Not in an organisation that switched
    passwords off; the service's administrators always may (to mend a broken provider)."""
    if user.is_superuser or user.unit_id is None:
        return True
    organisation_id = (
        User.objects.filter(pk=user.pk).values_list("unit__department__organisation", flat=True)
    ).first()
    return passwords_allowed_in(organisation_id)


def identity_of(*, user: User) -> ExternalIdentity | None:
    """The account's link to a provider, for the profile ("Signed in through …")."""
    return (
        ExternalIdentity.objects.filter(user=user)
        .select_related("provider")
        .order_by("-last_signed_in_at")
        .first()
    )


def provider_of_session(*, request) -> IdentityProvider | None:
    """The provider that signed this session in, if any."""
    provider_id = request.session.get(PROVIDER_KEY)
    return providers_enabled().filter(pk=provider_id).first() if provider_id else None


def allow_forms_to_providers(response):
    """The sign-in form sends an address on to its provider: a redirect the page's
    Content-Security-Policy (form-action 'self') must allow, for these origins only."""
    origins = sorted(
        {
            "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
            for issuer in providers_enabled().values_list("issuer", flat=True)
        }
    )
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def provider_logout_url(*, request, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for a session it signed in, else None."""
    from . import client

    provider = provider_of_session(request=request)
    if provider is None:
        return None
    return client.logout_url(provider=provider, post_logout_redirect_uri=post_logout_redirect_uri)
