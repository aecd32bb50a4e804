from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "kierratys.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from kierratys import live

        from .outbox import outbox_add

        live.published.connect(outbox_add)
