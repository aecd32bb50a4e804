from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChargesConfig(AppConfig):
    name = "reservations.charges"
    label = "charges"
    verbose_name = _("Internal prices")
    default_auto_field = "django.db.models.BigAutoField"
