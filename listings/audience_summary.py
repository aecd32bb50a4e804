"""Who sees a listing now and when that widens, in words for its page (listings.audience
is the rule; this only says it). Editors also get the choices they have: widen now, keep it
where it is, or let it move on on schedule again."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audience
from .models import Listing
from .permissions import can_edit

Audience = Listing.Audience


@dataclass(frozen=True)
class Choice:
    """One button: post `audience` and `hold` to listings:audience."""

    audience: str
    hold: bool
    label: str


@dataclass(frozen=True)
class AudienceSummary:
    text: str
    choices: tuple[Choice, ...] = ()


def audience_summary(*, user, listing: Listing) -> AudienceSummary | None:
    """The sentence for the listing's page (None where there is nothing to say)."""
    viewer = audience.viewer_of(user)
    if can_edit(user, listing):
        return _for_editor(viewer, listing)
    if listing.status != Listing.Status.PUBLISHED:
        return None
    return AudienceSummary(_for_viewer(viewer, listing))


def _who(viewer, listing: Listing, stage: str) -> str:
    if stage == Audience.DEPARTMENT:
        name = listing.owner_unit.department.display_name
        if viewer.department_id == listing.department_id:
            return _("your department (%(name)s)") % {"name": name}
        return _("the department %(name)s") % {"name": name}
    if stage == Audience.ORGANISATION:
        return _("the whole organisation")
    return _("the whole organisation and its partners")


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _for_editor(viewer, listing: Listing) -> AudienceSummary | None:
    organisation = listing.organisation
    stage = listing.audience
    if listing.status == Listing.Status.DRAFT:
        first, _widens = audience.stage_from(organisation, Audience.DEPARTMENT, timezone.now())
        if first == Audience.ENDED:
            return None
        return AudienceSummary(
            _("Once published, it is visible to %(who)s first.")
            % {"who": _who(viewer, listing, first)}
        )
    if listing.status != Listing.Status.PUBLISHED:
        return None
    if stage == Audience.ENDED:
        return AudienceSummary(
            _(
                "Its last stage has ended: nobody else sees it now. "
                "Decide what happens to what is left."
            )
        )
    who = _who(viewer, listing, stage)
    if listing.audience_widens_at is None:
        if stage == Audience.PARTNERS:
            text = _("Stays visible to %(who)s.") % {"who": who}
        else:
            text = _("Stays visible to %(who)s until you widen it.") % {"who": who}
        choices = [*_widen_choices(listing), Choice(stage, False, _("Resume the schedule"))]
        return AudienceSummary(text, tuple(choices))
    then, _later = audience.stage_from(
        organisation, audience.next_stage(stage), listing.audience_widens_at
    )
    values = {"who": who, "date": _day(listing.audience_widens_at)}
    if then == Audience.ORGANISATION:
        text = _("Visible to %(who)s until %(date)s, then to the whole organisation.") % values
    elif then == Audience.PARTNERS:
        text = _("Visible to %(who)s until %(date)s, then also to partner organisations.") % values
    else:
        text = _("Visible to %(who)s until %(date)s, then it ends.") % values
    hold = {
        Audience.DEPARTMENT: _("Keep it within the department"),
        Audience.ORGANISATION: _("Keep it within the organisation"),
        Audience.PARTNERS: _("Keep showing it to partners"),
    }[stage]
    return AudienceSummary(text, (*_widen_choices(listing), Choice(stage, True, hold)))


def _widen_choices(listing: Listing) -> list[Choice]:
    """Later stages the organisation has (a stage of 0 days is one it skips)."""
    labels = {
        Audience.ORGANISATION: _("Show to the whole organisation now"),
        Audience.PARTNERS: _("Show to partner organisations now"),
    }
    later = audience.STAGES[audience.STAGES.index(listing.audience) + 1 :]
    return [
        Choice(stage, False, labels[stage])
        for stage in later
        if stage in labels and audience.stage_days(listing.organisation, stage)
    ]


def _for_viewer(viewer, listing: Listing) -> str:
    if not audience.sees(viewer, listing):
        # Seen through the unit's reservation only: the stage moved on or a partnership ended.
        return _("No longer shown in the catalogue. Your unit's reservation stays valid.")
    if audience.across_organisations(viewer, listing):
        return _("Shared with partner organisations by %(organisation)s.") % {
            "organisation": listing.organisation.display_name
        }
    return {
        Audience.DEPARTMENT: _("Shown only to your department for now."),
        Audience.ORGANISATION: _("Shown to the whole organisation."),
        Audience.PARTNERS: _("Shown to the whole organisation and its partners."),
    }[listing.audience]
