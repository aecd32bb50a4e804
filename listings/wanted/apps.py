from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WantedConfig(AppConfig):
    name = "listings.wanted"
    label = "wanted"
    verbose_name = _("Wanted requests")

    def ready(self):
        from listings import hooks

        hooks.listing_published.connect(answer_published)
        hooks.audience_widened.connect(audience_widened)


def answer_published(*, listing, actor, **kwargs):
    from .services import wanted_listing_published

    return wanted_listing_published(listing=listing, actor=actor)


def audience_widened(*, listing, before, **kwargs):
    from .services import wanted_listing_widened

    return wanted_listing_widened(listing=listing, before=before)
