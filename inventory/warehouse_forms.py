"""The coordinator's forms for warehouses, delivery slots and shelves.

They only read what was typed (a time, a whole number); the rules (end after start,
capacity 1..MAX_SLOT_CAPACITY, no overlapping slots, unique names and codes) live in
inventory/services/warehouses.py, whose messages land under the fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from kierratys.common.limits import MAX_SLOT_CAPACITY

from .models import TimeSlot


def _numeric(field):
    field.widget.attrs.update(min=1, max=MAX_SLOT_CAPACITY, inputmode="numeric")
    return field


class _Rows:
    """Fields laid out in rows (`rows`: tuples of names side by side on wider screens)."""

    rows: tuple[tuple[str, ...], ...] = ()

    def field_rows(self) -> list[list]:
        listed = {name for row in self.rows for name in row}
        rows = [[self[name] for name in row if name in self.fields] for row in self.rows]
        rows += [[self[name]] for name in self.fields if name not in listed]
        return [row for row in rows if row]


class WarehouseForm(_Rows, forms.Form):
    rows = (("name",), ("street_address",), ("postal_code", "city"))

    name = forms.CharField(label=_("Name"), max_length=200)
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("City"), max_length=100)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        max_length=200,
        help_text=_("Shown on pickup slips, for example: Mon–Fri 8–15."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    serves_partners = forms.BooleanField(
        label=_("Serves partner organisations"),
        required=False,
        help_text=_(
            "Delivers to and stores for the units of our partner organisations too, when "
            "they have no warehouse of their own."
        ),
    )
    is_active = forms.BooleanField(
        label=_("In use: takes new items and delivery bookings"), required=False
    )

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]

    @classmethod
    def initial_for(cls, warehouse) -> dict:
        fields = ("name", "street_address", "postal_code", "city", "opening_hours", "phone")
        return {name: getattr(warehouse, name) for name in fields} | {
            "serves_partners": warehouse.serves_partners,
            "is_active": warehouse.is_active,
        }


class SlotForm(_Rows, forms.Form):
    rows = (("weekday",), ("start", "end"))

    weekday = forms.TypedChoiceField(
        label=_("Weekday"), coerce=int, choices=TimeSlot._meta.get_field("weekday").choices
    )
    start = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    delivery_capacity = _numeric(
        forms.IntegerField(
            label=_("Deliveries"),
            help_text=_("How many deliveries the van can take in this slot."),
        )
    )
    pickup_capacity = _numeric(
        forms.IntegerField(
            label=_("Pickups at the warehouse"),
            help_text=_("How many units can collect items at the dock in this slot."),
        )
    )

    @classmethod
    def initial_for(cls, slot) -> dict:
        fields = ("weekday", "start", "end", "delivery_capacity", "pickup_capacity")
        return {name: getattr(slot, name) for name in fields}


class ShelfForm(_Rows, forms.Form):
    code = forms.CharField(
        label=_("Shelf code"),
        max_length=20,
        help_text=_("As on the shelf's label, for example A-01-1."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    @classmethod
    def initial_for(cls, shelf) -> dict:
        return {"code": shelf.code, "description": shelf.description}
