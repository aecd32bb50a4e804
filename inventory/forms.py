from django import forms
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY

from .models import Task


class BoardFilterForm(forms.Form):
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"), coerce=int, required=False, empty_value=None
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Task.Kind.choices]
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, warehouses=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses"))] + [
            (w.pk, w.name) for w in warehouses
        ]
        self.fields["assignee"].choices = [("", _("Anyone"))] + [(u.pk, u.full_name) for u in staff]

    def clean(self):
        cleaned = super().clean()
        # Bad filter values are dropped, never an error page.
        for name in list(self.errors):
            cleaned.pop(name, None)
        self._errors = forms.utils.ErrorDict()
        return cleaned


class ScheduleForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    slot = forms.TypedChoiceField(
        label=_("Time slot (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [("", _("No slot"))] + [
            (s.pk, f"{s.warehouse} · {s}") for s in slots
        ]


class ScanForm(forms.Form):
    scanned_code = forms.CharField(
        label=_("Item code"),
        required=False,
        max_length=300,
        help_text=_("Scan the QR label, or type the code printed on it (for example K-000123)."),
    )


class ShelveForm(forms.Form):
    location = forms.TypedChoiceField(label=_("Shelf"), coerce=int)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [
            (loc.pk, f"{loc.warehouse.name} {loc.code}") for loc in locations
        ]


class ProblemForm(forms.Form):
    problem = forms.CharField(label=_("Problem (missing, damaged…)"), max_length=500)


class DeliveryBookingForm(forms.Form):
    choice = forms.ChoiceField(label=_("Delivery time"), widget=forms.RadioSelect)

    def __init__(self, *args, free=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.free = list(free)
        self.fields["choice"].choices = [
            (
                f"{item['slot'].pk}:{item['date'].isoformat()}",
                f"{item['date']:%d.%m.%Y} {item['slot']} ({item['slot'].warehouse})",
            )
            for item in self.free
        ]

    def days(self) -> list[dict]:
        """The radio buttons grouped by day, for the same picker as the reserve form's."""
        radios = {radio.data["value"]: radio for radio in self["choice"]}
        days: dict = {}
        for item in self.free:
            value = f"{item['slot'].pk}:{item['date'].isoformat()}"
            days.setdefault(item["date"], []).append((radios[value], item["slot"]))
        return [{"date": day, "slots": slots} for day, slots in days.items()]

    @property
    def warehouses(self) -> list:
        """The warehouses that deliver: named once when there is one, else at each time."""
        return list(
            {item["slot"].warehouse_id: item["slot"].warehouse for item in self.free}.values()
        )

    def slot_and_day(self):
        from datetime import date

        slot, day = self.cleaned_data["choice"].split(":")
        return int(slot), date.fromisoformat(day)


class DisposalForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    reason = forms.ChoiceField(label=_("Reason"), choices=Task.DisposalReason.choices)


class StockTakeForm(forms.Form):
    def __init__(self, *args, listings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.listings = list(listings)
        for listing in self.listings:
            # inventory.selectors.location_contents: less what is in transit.
            expected = getattr(
                listing, "expected", listing.quantity_available + listing.quantity_reserved
            )
            transfer = getattr(listing, "in_transit", None)
            self.fields[f"count_{listing.pk}"] = forms.IntegerField(
                label=f"{listing.code} {listing.title}",
                min_value=0,
                max_value=MAX_QUANTITY,
                initial=expected,
                help_text=_("%(n)d in transit to %(warehouse)s, not counted here.")
                % {"n": transfer.quantity, "warehouse": transfer.to_warehouse.name}
                if transfer
                else "",
            )

    def counts(self) -> dict[int, int]:
        return {listing.pk: self.cleaned_data[f"count_{listing.pk}"] for listing in self.listings}
