from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Listings")

    def ready(self):
        from kierratys.accounts import hooks

        hooks.organisation_changed.connect(forget_filter_choices)


def forget_filter_choices(**kwargs):
    from . import choices

    choices.forget()
