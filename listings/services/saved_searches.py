"""Saved searches: a user's named catalogue queries and their alerts."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import SavedSearch

logger = logging.getLogger(__name__)


MAX_SAVED_SEARCHES = 50


def normalise_query(raw) -> str:
    """Keep only the catalogue's own filters, in a stable order, without the page number."""
    from django.http import QueryDict

    from ..filters import CatalogueFilter

    source = raw if isinstance(raw, QueryDict) else QueryDict(raw or "")
    query = QueryDict(mutable=True)
    for key in sorted(CatalogueFilter.base_filters):
        values = [v for v in source.getlist(key) if v.strip()]
        if values:
            query.setlist(key, values)
    return query.urlencode()


def saved_search_create(*, user, name: str, query) -> SavedSearch:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    normalised = normalise_query(query)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one at a time
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise ValidationError(
                _("You can keep at most %(max)d saved searches. Delete some first.")
                % {"max": MAX_SAVED_SEARCHES}
            )
        if SavedSearch.objects.filter(user=user, name=name).exists():
            raise ValidationError({"name": _("You already have a saved search with this name.")})
        return SavedSearch.objects.create(user=user, name=name, query=normalised)


def _own_search(user, search_id: int) -> SavedSearch:
    saved = SavedSearch.objects.select_for_update().filter(pk=search_id, user=user).first()
    if saved is None:
        raise SavedSearch.DoesNotExist
    return saved


def saved_search_rename(*, user, search_id: int, name: str) -> SavedSearch:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    with transaction.atomic():
        saved = _own_search(user, search_id)
        if SavedSearch.objects.filter(user=user, name=name).exclude(pk=saved.pk).exists():
            raise ValidationError({"name": _("You already have a saved search with this name.")})
        saved.name = name
        saved.save(update_fields=["name"])
    return saved


def saved_search_set_alerts(*, saved: SavedSearch, enabled: bool) -> SavedSearch:
    """Also used by the one-click unsubscribe link, which carries no login."""
    with transaction.atomic():
        saved = SavedSearch.objects.select_for_update().get(pk=saved.pk)
        saved.alerts_enabled = enabled
        if not enabled:
            saved.pending_listing_ids = []
        saved.save(update_fields=["alerts_enabled", "pending_listing_ids"])
    return saved


def saved_search_delete(*, user, search_id: int) -> None:
    with transaction.atomic():
        _own_search(user, search_id).delete()
