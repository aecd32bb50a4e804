"""The catalogue's filters: one FilterSet, everything in the URL.

Saved-search alerts run the very same FilterSet, so an alert equals what the user sees.
Bad values never fail the page: they are dropped or corrected, with a note for the user.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audience, choices, search
from .models import Listing

SORTS = {
    "newest": ("-published_at", "-pk"),
    "oldest": ("published_at", "pk"),
    "title": ("title", "pk"),
    "most": ("-quantity_available", "-published_at"),
    "relevance": ("-rank", "-published_at"),
}
DIMENSIONS = ("width", "depth", "height")
MAX_CM = 2000


class CatalogueForm(forms.Form):
    """Corrects instead of refusing: the nearest valid result, and a note why."""

    def clean(self):
        cleaned = super().clean()
        self.notes = []
        for dimension in DIMENSIONS:
            low, high = cleaned.get(f"{dimension}_min"), cleaned.get(f"{dimension}_max")
            if low is not None and high is not None and low > high:
                cleaned[f"{dimension}_min"], cleaned[f"{dimension}_max"] = high, low
                self.notes.append(_("The smallest and largest size were swapped."))
        problem = search.query_problem(self.data.get("q", ""))
        self.search_refused = problem is not None
        if problem:
            self.notes.append(problem)
            cleaned["q"] = ""
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Drop invalid values (e.g. width_min=abc or an unknown category) rather than fail.
        if self._errors:
            dropped = list(self._errors)
            self._errors = forms.utils.ErrorDict()
            for name in dropped:
                self.cleaned_data.pop(name, None)
            self.notes = [
                *getattr(self, "notes", []),
                _("Some filters were not valid and were ignored."),
            ]


def _size_filter(dimension: str, bound: str):
    lookup = "gte" if bound == "min" else "lte"
    return django_filters.NumberFilter(
        field_name=f"{dimension}_cm",
        lookup_expr=lookup,
        label=_("min") if bound == "min" else _("max"),
        min_value=0,
        max_value=MAX_CM,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_CM}),
    )


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    category = django_filters.TypedChoiceFilter(
        method="filter_category", label=_("Category"), coerce=int, empty_value=None
    )
    condition = django_filters.MultipleChoiceFilter(
        choices=Listing.Condition.choices,
        label=_("Condition"),
        distinct=False,  # a plain column: no joins, so no duplicates to remove
        widget=forms.CheckboxSelectMultiple,
    )
    colour = django_filters.ChoiceFilter(
        choices=Listing.Colour.choices, label=_("Colour"), empty_label=_("Any colour")
    )
    material = django_filters.ChoiceFilter(
        choices=Listing.Material.choices, label=_("Material"), empty_label=_("Any material")
    )
    width_min = _size_filter("width", "min")
    width_max = _size_filter("width", "max")
    depth_min = _size_filter("depth", "min")
    depth_max = _size_filter("depth", "max")
    height_min = _size_filter("height", "min")
    height_max = _size_filter("height", "max")
    department = django_filters.TypedChoiceFilter(
        field_name="owner_unit__department_id",
        label=_("Department"),
        coerce=int,
        empty_value=None,
    )
    unit = django_filters.TypedChoiceFilter(
        field_name="owner_unit_id", label=_("Unit"), coerce=int, empty_value=None
    )
    location = django_filters.ChoiceFilter(
        method="filter_location",
        label=_("Location"),
        choices=[("unit", _("At a unit")), ("warehouse", _("In a warehouse"))],
        empty_label=_("Anywhere"),
    )
    lending = django_filters.ChoiceFilter(
        method="filter_lending",
        label=_("Given or lent"),
        choices=[("keep", _("For keeps")), ("loan", _("For loan"))],
        empty_label=_("For keeps or for loan"),
    )
    available_now = django_filters.ChoiceFilter(
        method="filter_available_now",
        label=_("Availability"),
        choices=[("1", _("Available now")), ("0", _("Also items available later"))],
        empty_label=None,
        widget=forms.RadioSelect,
    )
    sort = django_filters.ChoiceFilter(
        method="filter_sort",
        label=_("Sort"),
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("title", _("Title A–Ö")),
            ("most", _("Most available")),
            ("relevance", _("Best match (when searching)")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Listing
        fields = []
        form = CatalogueForm

    def __init__(self, data=None, *args, viewer=None, **kwargs):
        """`viewer` (listings.audience.Viewer): the department and unit choices name only
        the organisations whose listings the viewer can see; without one, every one."""
        if data is not None:
            # Defaults shown in the form too: available now; best match when searching.
            data = data.copy()
            if not data.get("available_now"):
                data["available_now"] = "1"
            if not data.get("sort"):
                data["sort"] = "relevance" if search.clean_query(data.get("q", "")) else "newest"
        super().__init__(data, *args, **kwargs)
        self.viewer = viewer
        self.count_cap = None  # set by `qs` when a search ranks only its candidates
        fields = self.form.fields
        fields["category"].choices = [("", _("All categories"))] + [
            (c["pk"], ("— " * depth) + c["name"]) for c, depth in choices.category_tree()
        ]
        fields["department"].choices = [
            ("", _("All departments")),
            *choices.departments(viewer),
        ]
        fields["unit"].choices = [("", _("All units")), *choices.units(viewer)]
        fields["q"].widget.attrs.update(type="search", maxlength=search.MAX_QUERY_LENGTH)

    # --- methods -----------------------------------------------------------------------
    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=choices.category_with_descendants(value))

    def filter_location(self, queryset, name, value):
        return queryset.filter(storage_location__isnull=(value == "unit"))

    def filter_lending(self, queryset, name, value):
        return queryset.filter(for_loan=(value == "loan"))

    def filter_available_now(self, queryset, name, value):
        return queryset  # applied in `qs`: "now" is the default even when absent

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in `qs`, so relevance can default

    @property
    def searching(self) -> bool:
        self.form.is_valid()
        return bool(search.clean_query(self.form.cleaned_data.get("q") or ""))

    @property
    def qs(self):
        queryset = super().qs
        if getattr(self.form, "search_refused", False):
            queryset = queryset.none()  # no results that only seem to match
        data = getattr(self.form, "cleaned_data", {})
        if data.get("available_now") != "0":
            queryset = queryset.filter(available_from__lte=timezone.localdate())
        sort = data.get("sort") or (
            "relevance" if search.clean_query(data.get("q") or "") else "newest"
        )
        if sort == "relevance" and not search.clean_query(data.get("q") or ""):
            sort = "newest"
        if sort == "relevance":  # rank a bounded candidate set, after every filter
            queryset = search.bound(queryset, data.get("q") or "", viewer=self.viewer)
            self.count_cap = search.CANDIDATES if search.bounds_ranking() else None
        return queryset.order_by(*SORTS[sort])

    @property
    def notes(self) -> list:
        self.form.is_valid()
        return list(dict.fromkeys(getattr(self.form, "notes", [])))


def visible_listings(viewer, today=None):
    """What the viewer may find: published, in stock, not past the last day, and at a stage
    that shows it to them (listings.audience). The FilterSet hides future ones by default."""
    today = today or timezone.localdate()
    return Listing.objects.filter(
        audience.visible_q(viewer),
        Q(status=Listing.Status.PUBLISHED),
        quantity_available__gt=0,
        available_until__gte=today,
    )
