from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.forms_for_unit import for_unit_field
from kierratys.common import inputs
from kierratys.common.limits import MAX_QUANTITY

from .models import Reservation


class DeliverySlotField(forms.ChoiceField):
    """A "<slot id>:<ISO date>" value. Any well-formed one passes: whether that slot is
    free, open and on that weekday is the booking service's rule (a full one is 409)."""

    default_error_messages = {"invalid_choice": _("Choose a delivery time from the list.")}

    def valid_value(self, value):
        slot, _sep, day = str(value).partition(":")
        if inputs.positive_id(slot) is None:
            return False
        return inputs.iso_date(day) is not None


class ReserveForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    handover = forms.ChoiceField(
        label=_("Handover"),
        choices=Reservation.Handover.choices,
        initial=Reservation.Handover.PICKUP,
        widget=forms.RadioSelect,
    )
    wanted_date = forms.DateField(
        label=_("Wanted date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When you would like to collect it or have it delivered."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    join_waiting_list = forms.BooleanField(
        label=_("If there are not enough, put us on the waiting list"), required=False
    )
    delivery_slot = DeliverySlotField(
        label=_("Delivery time (only for delivery by the warehouse)"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args,
        available: int | None = None,
        prefill: dict | None = None,
        delivery_options=(),
        actor=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Warehouse staff and coordinators may reserve for another unit (issue 20).
        field = for_unit_field(actor)
        if field is not None:
            self.fields = {"for_unit": field, **self.fields}  # first: whose it is
        if available is not None:
            self.fields["quantity"].widget.attrs["max"] = max(available, 1)
            self.fields["quantity"].widget.attrs["data-max-available"] = ""
        self.fields["quantity"].widget.attrs.update(min=1, inputmode="numeric")
        today = timezone.localdate().isoformat()
        self.fields["wanted_date"].widget.attrs["min"] = today
        if prefill and not self.is_bound:
            for name in ("contact_name", "contact_phone"):
                if prefill.get(name):
                    self.initial.setdefault(name, prefill[name])
        self.delivery_options = list(delivery_options)
        self.fields["delivery_slot"].choices = [
            (option["value"], f"{option['start']:%H:%M}–{option['end']:%H:%M}")
            for option in self.delivery_options
        ]
        if not self.delivery_options:
            del self.fields["delivery_slot"]

    def clean_wanted_date(self):
        wanted = self.cleaned_data.get("wanted_date")
        if wanted and wanted < timezone.localdate():
            raise forms.ValidationError(_("The wanted date cannot be in the past."))
        return wanted

    def clean(self):
        cleaned = super().clean()
        delivering = cleaned.get("handover") == Reservation.Handover.DELIVERY
        if delivering and "delivery_slot" in self.fields and not cleaned.get("delivery_slot"):
            self.add_error("delivery_slot", _("Choose a delivery time."))
        return cleaned

    def for_unit_id(self) -> int | None:
        """The unit chosen in "For unit", or None for the actor's own."""
        unit = self.cleaned_data.get("for_unit")
        return unit.pk if unit is not None else None

    def delivery(self) -> tuple[int, date] | None:
        """The chosen (slot id, day) when the warehouse delivers, else None."""
        value = self.cleaned_data.get("delivery_slot")
        if self.cleaned_data.get("handover") != Reservation.Handover.DELIVERY or not value:
            return None
        slot, _sep, day = value.partition(":")
        return inputs.positive_id(slot), inputs.iso_date(day)

    @property
    def delivery_warehouse(self) -> dict | None:
        """The warehouse that delivers, named once above the times (they share it)."""
        return self.delivery_options[0] if self.delivery_options else None

    def delivery_days(self) -> list[dict]:
        """The picker's radio buttons grouped by day, in time order."""
        if "delivery_slot" not in self.fields:
            return []
        radios = {radio.data["value"]: radio for radio in self["delivery_slot"]}
        days: dict = {}
        for option in self.delivery_options:
            days.setdefault(option["date"], []).append((radios[option["value"]], option))
        return [{"date": day, "slots": slots} for day, slots in days.items()]


class BasketForm(ReserveForm):
    """The same contact details for everything in the basket; quantities come per item."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["quantity"]
        del self.fields["join_waiting_list"]
        self.fields.pop("delivery_slot", None)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline (the requesting unit sees it)"), required=False, max_length=500
    )


class HandoverForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity handed over"), min_value=1, max_value=MAX_QUANTITY
    )
    scanned_code = forms.CharField(
        label=_("Item code"),
        required=False,
        max_length=300,
        help_text=_("Scan the QR label, or type the code printed on it (for example K-000123)."),
    )
