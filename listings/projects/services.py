"""Writes for projects."""

from django.db import transaction
from django.utils.translation import gettext as _

from kierratys.accounts.roles import belongs_to_unit, is_coordinator, organisation_id_of
from kierratys.common.errors import NotFound, ServiceError
from listings.models import Listing

from .models import Project, ProjectListing
from .selectors import projects_for_actor


@transaction.atomic
def project_create(
    *, actor, unit, kind, name, target_reuse_rate, starts_on=None, ends_on=None
) -> Project:
    """A project of the actor's unit, or of any unit of a coordinator's organisation."""
    organisation_id = organisation_id_of(actor)
    if organisation_id is None or unit.department.organisation_id != organisation_id:
        raise NotFound
    if not (belongs_to_unit(actor, unit.pk) or is_coordinator(actor)):
        raise NotFound
    if kind not in Project.Kind.values:
        raise ServiceError({"kind": _("Choose relocation or renovation.")})
    if not 0 <= int(target_reuse_rate) <= 100:
        raise ServiceError({"target_reuse_rate": _("The target is between 0 and 100 %.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError({"ends_on": _("The project cannot end before it starts.")})
    if not name.strip():
        raise ServiceError({"name": _("Give the project a name.")})
    return Project.objects.create(
        organisation_id=organisation_id,
        unit=unit,
        kind=kind,
        name=name.strip(),
        target_reuse_rate=int(target_reuse_rate),
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def project_listings_add(*, actor, project_id, listing_ids) -> int:
    """Put these listings into the project, all or nothing. A project the actor may not
    manage is NotFound (404); every listing must be of the project's organisation, else
    ServiceError and nothing changes. A listing already in another project moves to this
    one (a listing is in at most one project). Returns how many listings were given."""
    project = projects_for_actor(actor=actor).select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound
    try:
        ids = {int(i) for i in listing_ids}
    except (TypeError, ValueError):
        raise ServiceError(_("Choose listings from the list.")) from None
    if not ids:
        raise ServiceError(_("Choose at least one listing."))
    listings = list(
        Listing.objects.select_for_update()
        .filter(pk__in=ids, organisation_id=project.organisation_id)
        .order_by("pk")
    )
    if len(listings) != len(ids):
        raise ServiceError(_("Some of the chosen listings are not your organisation's."))
    for listing in listings:
        ProjectListing.objects.update_or_create(listing=listing, defaults={"project": project})
    return len(listings)
