"""Read side of end of life: the decision page and the coordinator's list of recipients."""

from django.core.exceptions import PermissionDenied

from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.common.errors import NotFound

from .models import EndOfLife, Recipient


def recipients_for_donation(*, organisation_id: int):
    """The recipients a listing of this organisation can be donated to."""
    return Recipient.objects.filter(organisation_id=organisation_id, is_active=True).order_by(
        "name"
    )


def decisions_of_listing(*, listing) -> list[EndOfLife]:
    return list(
        EndOfLife.objects.filter(listing=listing)
        .select_related("recipient", "decided_by")
        .order_by("-decided_at", "-pk")
    )


def coordinator_organisation_id(user) -> int:
    """The organisation whose recipients the user keeps: coordinators only (403 else)."""
    organisation_id = organisation_id_of(user)
    if not is_coordinator(user) or organisation_id is None:
        raise PermissionDenied
    return organisation_id


def recipients_for_settings(*, user) -> list[Recipient]:
    """Every recipient of the coordinator's organisation, in use first."""
    organisation_id = coordinator_organisation_id(user)
    return list(
        Recipient.objects.filter(organisation_id=organisation_id).order_by("-is_active", "name")
    )


def recipient_for_settings(*, user, recipient_id: int) -> Recipient:
    """Another organisation's recipient is not there (404), like a missing one."""
    organisation_id = coordinator_organisation_id(user)
    recipient = Recipient.objects.filter(pk=recipient_id, organisation_id=organisation_id).first()
    if recipient is None:
        raise NotFound
    return recipient
