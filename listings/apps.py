from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Listings")

    def ready(self):
        from kierratys.accounts import hooks

        hooks.organisation_changed.connect(forget_filter_choices)
        hooks.unit_moved.connect(follow_unit)


def forget_filter_choices(**kwargs):
    from . import choices

    choices.forget()


def follow_unit(*, unit, **kwargs):
    from .services import listings_follow_unit

    return listings_follow_unit(unit=unit)
