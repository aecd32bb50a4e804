"""Reads for the coordinator's webhooks page: their endpoints and the latest deliveries."""

from kierratys.accounts.roles import coordinators_organisation_id

from .models import Delivery, Endpoint

LOG_LENGTH = 50


def endpoints_page(*, actor) -> dict:
    organisation_id = coordinators_organisation_id(actor)
    endpoints = list(Endpoint.objects.filter(organisation_id=organisation_id))
    log = list(
        Delivery.objects.filter(endpoint__organisation_id=organisation_id)
        .select_related("endpoint")
        .order_by("-pk")[:LOG_LENGTH]
    )
    return {"endpoints": endpoints, "log": log}
