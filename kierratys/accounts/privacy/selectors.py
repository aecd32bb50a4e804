"""Reading the access log: a coordinator's own organisation's entries only."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q

from ...common.errors import NotFound
from ..models import User
from ..roles import is_coordinator, organisation_id_of
from .models import PersonalDataAccess

PAGE_SIZE = 50


def _visible_to(organisation_id: int) -> Q:
    """What the organisation's coordinators see: their people viewing anyone's details, and
    anyone (a partner's warehouse, say) viewing their people's."""
    return Q(organisation_id=organisation_id) | Q(subject_organisation_id=organisation_id)


def access_log_page(*, user, query: str = "", subject_id: int | None = None, page=1):
    """One page of the log, newest first, for a coordinator; PermissionDenied for anyone
    else. `query` matches the name, email or shown details of the subject or the viewer;
    `subject_id` narrows it to one person's details."""
    own = organisation_id_of(user)
    if not is_coordinator(user) or own is None:
        raise PermissionDenied
    entries = (
        PersonalDataAccess.objects.filter(_visible_to(own))
        .select_related("viewer__unit", "subject__unit", "organisation", "subject_organisation")
        .order_by("-at", "-pk")
    )
    if subject_id is not None:
        entries = entries.filter(subject_id=subject_id)
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(subject__full_name__icontains=query)
            | Q(subject__email__icontains=query)
            | Q(subject_description__icontains=query)
            | Q(viewer__full_name__icontains=query)
            | Q(viewer__email__icontains=query)
        )
    return Paginator(entries, PAGE_SIZE).get_page(page)


def accesses_of_subject(*, subject_id: int):
    """Every entry of this person's details being seen, for their own data export."""
    return list(
        PersonalDataAccess.objects.filter(subject_id=subject_id)
        .select_related("viewer", "organisation")
        .order_by("-at", "-pk")
    )


def person_for_coordinator(*, user, person_id: int):
    """A person of the coordinator's own organisation, with their unit and whether they
    were anonymised; NotFound for anyone else's (and for no such person), PermissionDenied
    for someone who is no coordinator."""
    own = organisation_id_of(user)
    if not is_coordinator(user) or own is None:
        raise PermissionDenied
    person = (
        User.objects.select_related("unit__department", "anonymisation__by")
        .filter(pk=person_id, unit__department__organisation_id=own)
        .first()
    )
    if person is None:
        raise NotFound
    return person
