"""The coordinator's new-token form: it reads what was typed; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_RATE_PER_MINUTE, Scope
from .services import MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that uses it, e.g. the purchasing system."),
    )
    unit = forms.TypedChoiceField(
        label=_("Acts for the unit"),
        coerce=int,
        help_text=_("It sees what this unit's staff see, and reserves for this unit."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.LISTINGS_READ],
    )
    warehouse = forms.BooleanField(
        label=_("A warehouse system"),
        required=False,
        help_text=_(
            "Gives it the warehouse role: it sees and works all tasks of the organisation's "
            "warehouses. Needs the scope Warehouse tasks."
        ),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Requests a minute at most"),
        min_value=1,
        max_value=MAX_RATE_PER_MINUTE,
        initial=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            (unit.pk, f"{unit.display_name} ({unit.department.display_name})") for unit in units
        ]
