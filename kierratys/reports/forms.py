"""The report's filter: a period and a department, unit or category. Everything in the URL.

Departments and units are the viewer's organisation's only: another's is an unknown choice."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.models import Department, Unit
from listings import choices

from .selectors import ReportFilter

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_YEARS = 10
DATE_WIDGET = {"type": "date", "min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31"}


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def this_year(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), date(today.year, 12, 31)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.department.display_name})"


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=_("First day"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date.")},
    )
    end = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date.")},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("All departments"),
        error_messages={"invalid_choice": _("Unknown department. Choose one from the list.")},
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.select_related("department").order_by("name"),
        required=False,
        empty_label=_("All units"),
        error_messages={"invalid_choice": _("Unknown unit. Choose one from the list.")},
    )
    category = forms.TypedChoiceField(
        label=_("Category"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Unknown category. Choose one from the list.")},
    )

    def __init__(
        self,
        data=None,
        *,
        own_unit: Unit | None = None,
        organisation_id: int | None = None,
        period_only: bool = False,
        today: date | None = None,
    ):
        """own_unit: a unit member's report, always for that unit (no department or unit).
        organisation_id: whose figures (the departments and units offered are its own).
        period_only: the regional view, which compares organisations over a period."""
        self.today = today or timezone.localdate()
        self.own_unit = own_unit
        self.organisation_id = organisation_id
        data = data.copy() if data is not None else {}
        first, last = this_year(self.today)
        if not (data.get("start") or "").strip():
            data["start"] = first.isoformat()
        if not (data.get("end") or "").strip():
            data["end"] = last.isoformat()
        super().__init__(data)
        if own_unit is not None or period_only:
            del self.fields["department"]
            del self.fields["unit"]
        elif organisation_id is not None:
            self.fields["department"].queryset = self.fields["department"].queryset.filter(
                organisation_id=organisation_id
            )
            self.fields["unit"].queryset = self.fields["unit"].queryset.filter(
                department__organisation_id=organisation_id
            )
        self.fields["category"].choices = [
            ("", _("All categories")),
            *((row["pk"], "– " * depth + row["name"]) for row, depth in choices.category_tree()),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                self.add_error(
                    name,
                    _("Choose a date between the years %(min)d and %(max)d.")
                    % {"min": MIN_YEAR, "max": MAX_YEAR},
                )
        if self.has_error("start") or self.has_error("end") or not (start and end):
            return cleaned
        if start > end:
            self.add_error("end", _("The end date is before the start date."))
        elif end >= add_years(start, MAX_YEARS):
            self.add_error("end", _("The period can be at most %(n)d years.") % {"n": MAX_YEARS})
        department, unit = cleaned.get("department"), cleaned.get("unit")
        if department and unit and unit.department_id != department.pk:
            self.add_error("unit", _("This unit is not in the chosen department."))
        return cleaned

    def filters(self) -> ReportFilter:
        data = self.cleaned_data
        return ReportFilter(
            start=data["start"],
            end=data["end"],
            department=data.get("department"),
            unit=self.own_unit or data.get("unit"),
            category_id=data.get("category"),
            organisation_id=self.organisation_id,
        )

    def category_name(self) -> str:
        category_id = self.cleaned_data.get("category")
        labels = dict(self.fields["category"].choices)
        return labels.get(category_id, "").lstrip("– ") if category_id else ""
