from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = _("Reservations")

    def ready(self):
        from listings import hooks

        from .services import waiting_list_promote

        hooks.quantity_freed.connect(waiting_list_promote)
