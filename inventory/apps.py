from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Warehouse")

    def ready(self):
        from listings import hooks

        hooks.warehouse_shelves.connect(active_shelves)


def active_shelves(**kwargs):
    from .selectors import shelves_for_listing_form

    return shelves_for_listing_form()
