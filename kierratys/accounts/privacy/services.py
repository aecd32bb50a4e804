"""Writing the access log, and keeping it no longer than ACCESS_LOG_MONTHS."""

import calendar
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from ..models import Unit
from ..roles import organisation_id_of
from .models import PersonalDataAccess

What = PersonalDataAccess.What


@dataclass(frozen=True)
class Subject:
    """Whose details a page showed: an account, a name typed into a form, or both.

    The organisation is the subject's; give it when the page has it loaded, else the unit
    it follows from (looked up in one query for all of them)."""

    user_id: int | None = None
    description: str = ""
    organisation_id: int | None = None
    unit_id: int | None = None


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    it has fewer days: 31 March less one month is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def personal_data_viewed(*, viewer, subjects, what: str, ref: str = "") -> int:
    """Log that `viewer` was shown these subjects' details on a page or in an export.

    Cheap enough for every page view: one INSERT for all of them (and one SELECT when some
    subject's organisation is known only by its unit). One's own details are not logged;
    the same subject twice on one page is logged once. Returns how many rows were written.
    """
    if not getattr(viewer, "is_authenticated", False):
        return 0
    seen, wanted = set(), []
    for subject in subjects:
        description = (subject.description or "").strip()[:200]
        if subject.user_id == viewer.pk or (subject.user_id is None and not description):
            continue
        key = (subject.user_id, description)
        if key not in seen:
            seen.add(key)
            wanted.append((subject, description))
    if not wanted:
        return 0
    units = {s.unit_id for s, _d in wanted if s.organisation_id is None and s.unit_id}
    organisation_of_unit = (
        dict(Unit.objects.filter(pk__in=units).values_list("pk", "department__organisation_id"))
        if units
        else {}
    )
    now = timezone.now()
    own = organisation_id_of(viewer)
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                viewer_id=viewer.pk,
                subject_id=subject.user_id,
                subject_description=description,
                what=what,
                ref=ref[:100],
                organisation_id=own,
                subject_organisation_id=subject.organisation_id
                or organisation_of_unit.get(subject.unit_id),
                at=now,
            )
            for subject, description in wanted
        ]
    )
    return len(wanted)


def access_log_clean(*, now: datetime | None = None) -> int:
    """Delete the entries older than ACCESS_LOG_MONTHS (a periodic job). Idempotent."""
    cutoff = months_before(now or timezone.now(), settings.ACCESS_LOG_MONTHS)
    deleted, _by_model = PersonalDataAccess.objects.filter(at__lt=cutoff).delete()
    return deleted
