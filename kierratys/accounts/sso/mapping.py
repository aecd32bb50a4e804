"""From the provider's claims to what the person is here: address, name, roles, unit.

Pure reads of the claims and the provider's mappings; nothing is written. Each refusal is
an SsoError whose message the sign-in page shows.
"""

from dataclasses import asdict, dataclass, field

from ..identity import email_key
from ..models import EmailDomain
from .errors import SsoError
from .models import IdentityProvider


@dataclass
class Arrival:
    """Someone the provider vouched for, as far as we have them mapped. Kept in the
    session (no token) while they pick their unit once."""

    provider_id: int
    subject: str
    email: str
    full_name: str
    roles: list[str] | None  # None: the provider maps no roles; coordinators set them
    unit_id: int | None  # None: neither the claims nor an earlier sign-in name it
    sid: str = ""
    groups: list[str] = field(default_factory=list)

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data) -> "Arrival | None":
        try:
            return cls(**data)
        except TypeError:
            return None


def _groups(provider: IdentityProvider, claims) -> list[str]:
    value = claims.get(provider.groups_claim) if provider.groups_claim else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(group) for group in value]
    return []


def _full_name(claims, email: str) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        parts = (claims.get("given_name"), claims.get("family_name"))
        name = " ".join(str(part).strip() for part in parts if part).strip()
    return (name or email.partition("@")[0])[:200]


def _roles(provider: IdentityProvider, groups: list[str]) -> list[str] | None:
    mappings = list(provider.role_mappings.all())
    if not mappings:
        return None
    roles = sorted({m.role for m in mappings if m.group in groups})
    if not roles:
        raise SsoError(SsoError.NOT_LET_IN)
    return roles


def _unit_id(provider: IdentityProvider, claims, groups: list[str]) -> int | None:
    by_value = {m.value: m.unit_id for m in provider.unit_mappings.all()}
    if provider.unit_claim:
        claimed = claims.get(provider.unit_claim)
        if isinstance(claimed, str | int) and str(claimed) in by_value:
            return by_value[str(claimed)]
    for group in sorted(groups):
        if group in by_value:
            return by_value[group]
    return None


def arrival_from_claims(*, provider: IdentityProvider, claims) -> Arrival:
    """The verified ID token's claims, checked against the provider's organisation."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoError(SsoError.INVALID_TOKEN)
    raw_email = claims.get("email")
    if not isinstance(raw_email, str) or "@" not in raw_email:
        raise SsoError(SsoError.NO_EMAIL)
    if claims.get("email_verified") is False:
        raise SsoError(SsoError.NO_EMAIL)
    email = email_key(raw_email)
    domain = email.rpartition("@")[2]
    if not EmailDomain.objects.filter(organisation=provider.organisation, domain=domain).exists():
        raise SsoError(SsoError.FOREIGN_EMAIL)
    if provider.required_acr and claims.get("acr") != provider.required_acr:
        raise SsoError(SsoError.ACR)
    groups = _groups(provider, claims)
    return Arrival(
        provider_id=provider.pk,
        subject=subject,
        email=email,
        full_name=_full_name(claims, email),
        roles=_roles(provider, groups),
        unit_id=_unit_id(provider, claims, groups),
        sid=str(claims.get("sid") or ""),
        groups=groups,
    )
