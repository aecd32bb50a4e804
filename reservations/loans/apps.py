from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "reservations.loans"
    label = "loans"
    verbose_name = _("Loans")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from listings import hooks

        from .services import loans_check_end_of_life, loans_check_listing_edit

        hooks.listing_edit_check.connect(loans_check_listing_edit)
        hooks.end_of_life_check.connect(loans_check_end_of_life)
