"""Reads for service tokens."""

from kierratys.accounts.models import Unit
from kierratys.common.errors import NotFound

from . import tokens
from .models import ServiceToken


def token_for_secret(secret: str) -> ServiceToken | None:
    """The token with this secret (any state), its account, unit and department loaded."""
    if not tokens.looks_like_token(secret):
        return None
    return (
        ServiceToken.objects.select_related("account__unit__department")
        .filter(secret_hash=tokens.hash_of(secret))
        .first()
    )


def tokens_of_organisation(*, organisation_id: int) -> list[ServiceToken]:
    return list(
        ServiceToken.objects.filter(organisation_id=organisation_id).select_related(
            "unit", "created_by", "revoked_by"
        )
    )


def token_of(*, organisation_id: int, token_id: int) -> ServiceToken:
    token = ServiceToken.objects.filter(pk=token_id, organisation_id=organisation_id).first()
    if token is None:
        raise NotFound
    return token


def units_for_tokens(*, organisation_id: int):
    return (
        Unit.objects.filter(department__organisation_id=organisation_id, is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )
