from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.forms_for_unit import for_unit_field
from kierratys.common.limits import MAX_QUANTITY

from .models import Loan


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoanForm(forms.Form):
    """Book days: the first and the last day (both included), how many, and for warehouse
    staff and coordinators the unit they book for. The rules are the service's."""

    start = forms.DateField(label=_("First day"), widget=_date_input())
    end = forms.DateField(label=_("Last day"), widget=_date_input())
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )

    def __init__(self, *args, listing, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Warehouse staff and coordinators may book for another unit of their organisation:
        # the shared type-ahead picker (issue 20), as on the reserve form and the basket.
        field = for_unit_field(actor)
        if field is not None:
            self.fields["unit"] = field
        today = timezone.localdate().isoformat()
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(min=today)
        self.fields["end"].help_text = _("Both days are included.")
        self.fields["quantity"].widget.attrs.update(
            min=1, max=listing.quantity, inputmode="numeric"
        )

    def unit_id(self) -> int | None:
        """The unit chosen in "For unit", or None for the actor's own."""
        unit = self.cleaned_data.get("unit")
        return unit.pk if unit is not None else None


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class PickUpForm(forms.Form):
    scanned_code = forms.CharField(
        label=_("Item code"),
        required=False,
        max_length=300,
        help_text=_("Scan the QR label, or type the code printed on it (for example K-000123)."),
    )


class ReturnForm(PickUpForm):
    condition = forms.ChoiceField(
        label=_("Condition on return"),
        choices=Loan.Condition.choices,
        initial=Loan.Condition.GOOD,
        widget=forms.RadioSelect,
    )
    damage_note = forms.CharField(
        label=_("What is damaged (required for damage)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["condition", "damage_note", "scanned_code"]
