"""What a report covers: the period and the giving department or unit."""

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
TABLES = ("summary", "monthly", "categories", "departments", "quality", "listings")
# Where an item's weight came from (a column of the collections CTE).
MISSING, MEASURED, FROM_CATEGORY = 0, 1, 2


# --- the filter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """A period in local dates (both inclusive) and optional owner and category filters."""

    start: date
    end: date
    department: Department | None = None
    unit: Unit | None = None
    category_id: int | None = None

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

    def listing_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.unit is not None:
            q &= Q(**{f"{prefix}owner_unit_id": self.unit.pk})
        elif self.department is not None:
            q &= Q(**{f"{prefix}owner_unit_id__in": self.department_unit_ids})
        if self.category_id is not None:
            q &= Q(**{f"{prefix}category_id__in": self.category_ids})
        return q

    def in_period(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.starts, f"{name}__lt": self.ends})
