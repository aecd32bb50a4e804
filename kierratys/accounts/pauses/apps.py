from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PausesConfig(AppConfig):
    name = "kierratys.accounts.pauses"
    label = "pauses"
    verbose_name = _("Ordering pauses")
    default_auto_field = "django.db.models.BigAutoField"
