"""The coordinator's endpoints: register one (its secret shown once), resume a paused one,
remove one. Every write is the coordinator's own organisation's; another's is a 404."""

import base64
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kierratys.accounts.roles import coordinators_organisation_id
from kierratys.common.errors import NotFound

from .delivery import _send_at, address_allowed
from .models import EVENT_TYPES, Endpoint
from .outbox import endpoints_forget

MAX_ENDPOINTS = 10  # per organisation


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _validate(url: str, event_types: list[str], description: str) -> dict:
    errors = {}
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        errors["url"] = _("Give the full HTTPS address, for example https://example.fi/hooks.")
    else:
        if len(url) > 500:
            errors["url"] = _("The address can be at most 500 characters.")
        elif not address_allowed(url):
            errors["url"] = _(
                "The address must be a public HTTPS address: not this service's own "
                "network, and a name that resolves."
            )
    if not event_types:
        errors["event_types"] = _("Choose at least one event.")
    elif unknown := sorted(set(event_types) - set(EVENT_TYPES)):
        errors["event_types"] = _("Unknown event: %(name)s.") % {"name": unknown[0]}
    if len(description) > 200:
        errors["description"] = _("The description can be at most 200 characters.")
    return errors


def endpoint_create(*, actor, url: str, event_types: list[str], description: str = "") -> Endpoint:
    organisation_id = coordinators_organisation_id(actor)
    url, description = url.strip(), description.strip()
    errors = _validate(url, event_types, description)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if Endpoint.objects.filter(organisation_id=organisation_id).count() >= MAX_ENDPOINTS:
                raise ValidationError(
                    _("An organisation can have at most %(n)d endpoints.") % {"n": MAX_ENDPOINTS}
                )
            endpoint = Endpoint.objects.create(
                organisation_id=organisation_id,
                url=url,
                description=description,
                event_types=sorted(set(event_types)),
                secret=_new_secret(),
                created_by=actor,
            )
            transaction.on_commit(endpoints_forget)
    except IntegrityError as error:
        raise ValidationError({"url": _("This address is already registered.")}) from error
    return endpoint


def _own(actor, endpoint_id: int) -> Endpoint:
    organisation_id = coordinators_organisation_id(actor)
    endpoint = (
        Endpoint.objects.select_for_update()
        .filter(pk=endpoint_id, organisation_id=organisation_id)
        .first()
    )
    if endpoint is None:
        raise NotFound
    return endpoint


def endpoint_resume(*, actor, endpoint_id: int) -> Endpoint:
    """Send again to a paused endpoint: what waited goes out in the next round."""
    with transaction.atomic():
        endpoint = _own(actor, endpoint_id)
        endpoint.paused_at = None
        endpoint.failures_in_a_row = 0
        endpoint.save(update_fields=["paused_at", "failures_in_a_row"])
        transaction.on_commit(endpoints_forget)
        transaction.on_commit(lambda: _send_at(timezone.now()))
    return endpoint


def endpoint_delete(*, actor, endpoint_id: int) -> None:
    with transaction.atomic():
        _own(actor, endpoint_id).delete()
        transaction.on_commit(endpoints_forget)
