"""Roles are Django groups, created by a data migration with their permissions.

Every active user has the staff role; warehouse and coordinator are added by coordinators.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Unit, User

STAFF = "staff"
WAREHOUSE = "warehouse"
COORDINATOR = "coordinator"

ROLE_LABELS = {
    STAFF: _("Unit staff"),
    WAREHOUSE: _("Warehouse staff"),
    COORDINATOR: _("Coordinator"),
}
ROLES = tuple(ROLE_LABELS)


def role_names(user) -> frozenset[str]:
    """The user's role names, read once per request object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, role: str) -> bool:
    return role in role_names(user)


def is_coordinator(user) -> bool:
    return has_role(user, COORDINATOR)


def coordinators_organisation_id(user) -> int:
    """The coordinator's organisation id; anyone else is refused (403)."""
    organisation_id = organisation_id_of(user)
    if not is_coordinator(user) or organisation_id is None:
        raise PermissionDenied
    return organisation_id


def belongs_to_unit(user, unit_id) -> bool:
    """Is the user a member of this unit? Never for a missing unit on either side."""
    own = getattr(user, "unit_id", None)
    return own is not None and unit_id is not None and own == unit_id


def organisation_id_of(user) -> int | None:
    """The organisation the user belongs to (through their unit), read once per object."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return None
    cached = getattr(user, "_organisation_id", None)
    if cached is None and User.unit.is_cached(user) and Unit.department.is_cached(user.unit):
        cached = user._organisation_id = user.unit.department.organisation_id
    if cached is None:
        cached = (
            Unit.objects.filter(pk=user.unit_id).values_list(
                "department__organisation_id", flat=True
            )
        ).first()
        user._organisation_id = cached
    return cached


def same_organisation(actor, user) -> bool:
    """Do two people belong to one organisation? Never when either has none."""
    own = organisation_id_of(actor)
    return own is not None and own == organisation_id_of(user)


def may_act_for_other_units(user) -> bool:
    """Warehouse staff and coordinators reserve, borrow and post requests on behalf of a unit."""
    return bool(role_names(user) & {WAREHOUSE, COORDINATOR})


def unit_acted_for(actor, unit_id) -> Unit:
    """The unit `actor` acts for: their own, or (for the roles above) another of their organisation.

    Any other unit is a 404, so another organisation's units cannot be probed.
    """
    if unit_id is None or belongs_to_unit(actor, unit_id):
        return Unit.objects.select_related("department__organisation").get(pk=actor.unit_id)
    unit = (
        Unit.objects.select_related("department__organisation")
        .filter(pk=unit_id, department__organisation_id=organisation_id_of(actor), is_active=True)
        .first()
    )
    if unit is None or not may_act_for_other_units(actor):
        raise Http404
    return unit
