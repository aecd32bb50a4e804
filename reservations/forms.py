from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_QUANTITY

from .models import Reservation


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

    def __init__(self, *args, available: int | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if available is not None:
            self.fields["quantity"].widget.attrs["max"] = max(available, 1)
            self.fields["quantity"].widget.attrs["data-max-available"] = ""
        self.fields["quantity"].widget.attrs.update(min=1, inputmode="numeric")
        today = timezone.localdate().isoformat()
        self.fields["wanted_date"].widget.attrs["min"] = today
        if user is not None and not self.is_bound:
            self.initial.setdefault("contact_name", user.full_name)
            self.initial.setdefault("contact_phone", user.phone)

    def clean_wanted_date(self):
        wanted = self.cleaned_data.get("wanted_date")
        if wanted and wanted < timezone.localdate():
            raise forms.ValidationError(_("The wanted date cannot be in the past."))
        return wanted


class BasketForm(ReserveForm):
    """The same contact details for everything in the basket; quantities come per item."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["quantity"]
        del self.fields["join_waiting_list"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


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
