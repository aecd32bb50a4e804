"""Live-update plumbing: services publish events, websocket consumers forward them.

Events are `{"event": NAME, "data": {...}}`. They are published only after the
transaction commits, and a failing channel layer is logged, never raised: the page
and the reservation must keep working when Redis is down.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

CATALOGUE_GROUP = "catalogue"
WAREHOUSE_GROUP = "warehouse"


def unit_group(unit_id: int) -> str:
    return f"unit-{unit_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def send_event(groups: list[str], event: str, data: dict) -> None:
    """Send now (outside any transaction). Failures are logged."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "event": event, "data": data}
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            logger.warning("Live event %s to %s was not delivered", event, group, exc_info=True)


def publish(groups: list[str], event: str, data: dict) -> None:
    """Publish once the current transaction commits; nothing on rollback."""
    transaction.on_commit(lambda: send_event(list(groups), event, data))
