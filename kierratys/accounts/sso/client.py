"""Authlib's client for one identity provider, and its failures in our words.

Every call to the provider (discovery, JWKS, token) has SSO_TIMEOUT_SECONDS. The client
is kept per provider and settings version, so discovery and the keys are fetched once per
process; a token signed by a key we have not seen makes Authlib fetch the keys again (key
rotation). Nothing here logs a token or a code.
"""

import logging
import threading

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from joserfc.errors import JoseError

from .errors import SsoError
from .models import IdentityProvider

logger = logging.getLogger(__name__)

_clients: dict[tuple[int, str], DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


def client_for(provider: IdentityProvider) -> DjangoOAuth2App:
    key = (provider.pk, provider.updated_at.isoformat())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            for old in [k for k in _clients if k[0] == provider.pk]:
                del _clients[old]  # the provider's settings changed
            client = _clients[key] = DjangoOAuth2App(
                DjangoIntegration(f"sso-{provider.pk}"),
                name=f"sso-{provider.pk}",
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.metadata_url,
                client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256"},
            )
    # Read for each call, so a changed setting holds for a client made earlier.
    client.client_kwargs["default_timeout"] = settings.SSO_TIMEOUT_SECONDS
    return client


def discovery_check(*, issuer: str) -> dict:
    """The provider's published settings, read before a coordinator saves it: the issuer
    must be what it says it is, and it must do the authorization code flow."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.SSO_TIMEOUT_SECONDS)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoError(SsoError.UNREACHABLE) from error
    if metadata.get("issuer") != issuer:
        raise SsoError(SsoError.WRONG_ISSUER)
    if "code" not in metadata.get("response_types_supported", ["code"]):
        raise SsoError(SsoError.UNSUPPORTED)
    return metadata


def protocol_errors():
    """What Authlib and the network raise, for views to turn into an SsoError."""
    return (OAuthError, JoseError, requests.RequestException, ValueError, KeyError, RuntimeError)


def as_sso_error(error: Exception) -> SsoError:
    """Our message for a protocol failure; the log gets its kind, never its contents."""
    if isinstance(error, MismatchingStateError):
        kind = SsoError.STATE
    elif isinstance(error, requests.RequestException | RuntimeError):
        kind = SsoError.UNREACHABLE
    elif isinstance(error, OAuthError) and getattr(error, "error", "") == "access_denied":
        kind = SsoError.DENIED
    else:
        kind = SsoError.INVALID_TOKEN
    logger.warning("Single sign-on failed: %s (%s)", kind, type(error).__name__)
    return SsoError(kind)


BACK_CHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout_token_claims(*, provider: IdentityProvider, logout_token: str) -> dict:
    """A back-channel logout token's claims, verified as OpenID Connect Back-Channel
    Logout 1.0 (section 2.6) asks: the provider's signature, issuer, audience, issued-at,
    the logout event, a sub or sid, and no nonce. Raises SsoError(INVALID_TOKEN)."""
    from joserfc import jwt
    from joserfc.errors import InvalidKeyIdError
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    client = client_for(provider)
    try:
        metadata = client.load_server_metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"])
        try:
            token = jwt.decode(
                logout_token, KeySet.import_key_set(client.fetch_jwk_set()), registry=registry
            )
        except InvalidKeyIdError:
            keys = KeySet.import_key_set(client.fetch_jwk_set(force=True))
            token = jwt.decode(logout_token, keys, registry=registry)
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": provider.client_id},
            iat={"essential": True},
        ).validate(token.claims)
    except protocol_errors() as error:
        raise as_sso_error(error) from error
    claims = token.claims
    events = claims.get("events")
    if not isinstance(events, dict) or BACK_CHANNEL_EVENT not in events:
        raise SsoError(SsoError.INVALID_TOKEN)
    if "nonce" in claims or not (claims.get("sub") or claims.get("sid")):
        raise SsoError(SsoError.INVALID_TOKEN)
    return claims


def logout_url(*, provider: IdentityProvider, post_logout_redirect_uri: str) -> str | None:
    """Where RP-initiated logout sends the browser so the provider signs them out too;
    None when the provider offers no end-session endpoint or does not answer (then the
    person is signed out here only)."""
    try:
        metadata = client_for(provider).load_server_metadata()
    except protocol_errors() as error:
        as_sso_error(error)
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    from authlib.common.urls import add_params_to_uri

    return add_params_to_uri(
        endpoint,
        {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri},
    )
