"""Who may do what with a wanted request. Seeing one is listings.audience's rule."""

from kierratys.accounts.roles import COORDINATOR, belongs_to_unit, organisation_id_of, role_names
from listings import audience

from .models import WantedRequest


def can_manage(user, wanted: WantedRequest) -> bool:
    """The requesting unit's staff, whoever posted it on the unit's behalf, and the
    coordinators of its organisation."""
    if not user.is_authenticated:
        return False
    if belongs_to_unit(user, wanted.unit_id):
        return True
    if wanted.on_behalf and wanted.poster_id == user.pk:
        return True  # who posted it on the unit's behalf (issue 20)
    return COORDINATOR in role_names(user) and organisation_id_of(user) == wanted.organisation_id


def can_view(user, wanted: WantedRequest) -> bool:
    return can_manage(user, wanted) or audience.sees(audience.viewer_of(user), wanted)


def can_answer(user, wanted: WantedRequest) -> bool:
    """Anyone who sees an open request, except its own unit."""
    return (
        wanted.is_open
        and getattr(user, "unit_id", None) is not None
        and not belongs_to_unit(user, wanted.unit_id)
        and audience.sees(audience.viewer_of(user), wanted)
    )
