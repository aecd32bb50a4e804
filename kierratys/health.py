"""Health probes for /healthz. They say ok or error, never why (no secrets)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health: database unreachable", exc_info=True)
        return "error"
    return "ok"


def _channel_layer() -> str:
    try:
        layer = get_channel_layer()
        async_to_sync(layer.group_send)("healthz", {"type": "healthz.ping"})
    except Exception:
        logger.warning("Health: channel layer unreachable", exc_info=True)
        return "error"
    return "ok"


def _storage() -> str:
    try:
        default_storage.exists("healthz-probe")
    except Exception:
        logger.warning("Health: storage unreachable", exc_info=True)
        return "error"
    return "ok"


def check() -> dict:
    database = _database()
    report = {"database": database, "channel_layer": _channel_layer(), "storage": _storage()}
    report["status"] = "ok" if all(v == "ok" for v in report.values()) else "degraded"
    if database != "ok":
        report["status"] = "down"
    return report
