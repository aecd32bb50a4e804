"""Reading a handover document (luovutusasiakirja): who may open it, and what it shows.

Both parties may: members of the giving unit and of the receiving unit, and the
coordinators of the giving and the receiving organisation. For anyone else it does not
exist (404), like another organisation's objects everywhere."""

from kierratys.accounts.roles import belongs_to_unit, is_coordinator, organisation_id_of
from kierratys.common.errors import NotFound

from .models import HandoverDocument


def may_open(user, document: HandoverDocument) -> bool:
    reservation = document.reservation
    if belongs_to_unit(user, reservation.unit_id) or belongs_to_unit(
        user, reservation.listing.owner_unit_id
    ):
        return True
    return is_coordinator(user) and organisation_id_of(user) in (
        document.giving_organisation_id,
        document.receiving_organisation_id,
    )


def handover_document_for(*, user, reservation_id: int) -> HandoverDocument:
    """The reservation's document with all it prints, in one query; NotFound when there is
    none or the user is no party to it."""
    document = (
        HandoverDocument.objects.select_related(
            "giving_organisation",
            "receiving_organisation",
            "reservation__unit__department",
            "reservation__listing__owner_unit__department",
            "reservation__listing__category",
        )
        .filter(reservation_id=reservation_id)
        .first()
    )
    if document is None or not may_open(user, document):
        raise NotFound
    return document
