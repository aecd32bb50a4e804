"""What a report covers: one organisation, the period, and a department or unit of it.

Within an organisation a collection counts for the giving unit, as it always has. Between
two organisations it counts once for each side: the giving organisation reports it as
*given to partners* (a line of its own, outside its impact), the receiving one as reuse
*received from partners*, credited to the receiving unit. So no item counts twice in a sum
of organisations."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    DecimalField,
    Q,
)

from kierratys.accounts.models import Department, Unit
from listings import choices

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
TOP_CATEGORIES = 10
FIX_LIST_LIMIT = 25
TABLES = ("summary", "monthly", "categories", "departments", "quality", "listings", "outcomes")
# Where an item's weight came from (a column of the collections CTE).
MISSING, MEASURED, FROM_CATEGORY = 0, 1, 2
# Which side of the organisation a collection is on (a column of the collections CTE).
OWN, RECEIVED, GIVEN = 0, 1, 2
RECEIVER_ORGANISATION = "unit__department__organisation_id"


# --- the filter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """A period in local dates (both inclusive), the organisation whose figures these are,
    and optional department, unit and category filters.

    Without an organisation (benchmarks, the demo's self-check) every collection counts as
    reuse for the giving unit; the pages always give one."""

    start: date
    end: date
    department: Department | None = None
    unit: Unit | None = None
    category_id: int | None = None
    organisation_id: int | None = None

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=LOCAL_TZ)

    @property
    def ends(self) -> datetime:
        """The first moment after the period (exclusive bound: index friendly)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)

    @property
    def category_ids(self) -> list[int]:
        if self.category_id is None:
            return []
        return choices.category_with_descendants(self.category_id)

    @cached_property
    def department_unit_ids(self) -> list[int]:
        """The department's units, looked up once: plain ids let the planner estimate."""
        return list(self.department.units.order_by("pk").values_list("pk", flat=True))

    @property
    def breakdown(self) -> str | None:
        """What the side-by-side table compares: departments, the units of one, or nothing."""
        if self.unit is not None:
            return None
        return "unit" if self.department is not None else "department"

    def _unit_ids(self) -> list[int] | None:
        if self.unit is not None:
            return [self.unit.pk]
        if self.department is not None:
            return self.department_unit_ids
        return None

    def listing_q(self, prefix: str = "") -> Q:
        """The organisation's own listings, of the chosen unit or department and category."""
        q = Q()
        if self.organisation_id is not None:
            q &= Q(**{f"{prefix}organisation_id": self.organisation_id})
        if self.unit is not None:
            q &= Q(**{f"{prefix}owner_unit_id": self.unit.pk})
        elif self.department is not None:
            q &= Q(**{f"{prefix}owner_unit_id__in": self.department_unit_ids})
        if self.category_id is not None:
            q &= Q(**{f"{prefix}category_id__in": self.category_ids})
        return q

    def collection_q(self) -> Q:
        """Collections (reservations) this organisation reports: from its own listings, to
        anyone, and to its own units from anyone's listings. The unit filter picks the
        giving unit, or for what was received from partners the receiving unit."""
        org = self.organisation_id
        units = self._unit_ids()
        if org is None:
            own = Q()
            if units is not None:
                own = Q(listing__owner_unit_id__in=units)
            q = own
        else:
            from_own = Q(listing__organisation_id=org)
            received = Q(**{RECEIVER_ORGANISATION: org}) & ~Q(listing__organisation_id=org)
            if units is not None:
                from_own &= Q(listing__owner_unit_id__in=units)
                received &= Q(unit_id__in=units)
            q = from_own | received
        if self.category_id is not None:
            q &= Q(listing__category_id__in=self.category_ids)
        return q

    def in_period(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.starts, f"{name}__lt": self.ends})
