"""The coordinator's price list form: it reads what was typed; the rules (a price in euros
and cents, not negative, at most 99 999,99 €) live in charges.services, whose messages
land under these fields."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .models import PriceList

PRICE_WIDGET = {"inputmode": "decimal", "autocomplete": "off", "size": 10}


def _price_field(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs=PRICE_WIDGET),
    )


class PriceListForm(forms.Form):
    delivery_eur = _price_field(
        _("Delivery (€)"), _("Charged when the warehouse delivers an item to a unit.")
    )
    delivery_basis = forms.ChoiceField(
        label=_("Delivery is priced"),
        choices=PriceList.DeliveryBasis.choices,
        widget=forms.RadioSelect,
    )
    storage_month_eur = _price_field(
        _("Storage per item and month (€)"),
        _("Every month started since the item came to the warehouse, the first included."),
    )
    cleaning_eur = _price_field(
        _("Cleaning or repair per item (€)"),
        _("Charged for each item handed over from the warehouse."),
    )

    def __init__(self, *args, price_list: PriceList, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "delivery_basis": price_list.delivery_basis,
                **{
                    name: number_format(getattr(price_list, name), 2)
                    for name in ("delivery_eur", "storage_month_eur", "cleaning_eur")
                },
            },
        )
        super().__init__(*args, **kwargs)
