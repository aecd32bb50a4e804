"""Sending the outbox: signed with the Standard Webhooks scheme, retried with growing
pauses, logged on the delivery row, and the endpoint paused after repeated failures.

Each round claims the due rows in a short transaction (skipping rows another worker has),
completes the messages sent for the first time with their resource (payloads.py), sends
them with no transaction open (an endpoint may take seconds), and records each outcome in
a transaction of its own (a failure with the message, for its retries). A claim is a
lease: a worker that dies mid-send leaves its rows to be sent again after CLAIM_SECONDS
(their message made afresh), so a receiver may see a message twice and should use
`webhook-id` to tell (as Standard Webhooks says).

The signature: `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 of
HMAC-SHA256 over "<id>.<timestamp>.<body>">` with the endpoint's `whsec_` secret
(the `standardwebhooks` library, which receivers can use to verify)."""

import ipaddress
import json
import logging
import socket
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from standardwebhooks import Webhook

from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR
from kierratys.common import mail

from . import payloads
from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)

BATCH = 50
CLAIM_SECONDS = 60
CONNECT_TIMEOUT, READ_TIMEOUT = 3.0, 10.0
ERROR_LENGTH = 300


def retry_after(attempts: int) -> timedelta | None:
    """The pause before attempt `attempts + 1`, or None when no attempt is left."""
    schedule = settings.WEBHOOK_RETRY_SECONDS
    if attempts > len(schedule):
        return None
    return timedelta(seconds=schedule[attempts - 1])


def address_allowed(url: str) -> bool:
    """HTTPS to a public address only: never the service's own network (SSRF). Hosts in
    WEBHOOK_ALLOWED_HOSTS (tests, an intranet receiver) are let through as they are."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    if parts.hostname in settings.WEBHOOK_ALLOWED_HOSTS:
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(a).is_global for a in addresses)


def _claim() -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(
                status=Delivery.Status.PENDING,
                next_attempt_at__lte=now,
                endpoint__paused_at__isnull=True,
            )
            .order_by("next_attempt_at", "pk")[:BATCH]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)
        )
        # Sent for the first time: the message gets its resource (payloads.py), in memory.
        # A failed attempt stores it, so that the retries send it again; a delivered one
        # keeps the event's own data only (no copy of the resource is kept).
        payloads.completed(due)
    return due


def _body(payload: dict) -> str:
    """The message as sent: keys sorted, so a retry (its payload read back from the
    database, which may reorder keys) sends the same bytes."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per sending thread: a round's deliveries to one endpoint reuse its
    connection (and its TLS handshake)."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def _post(delivery: Delivery) -> tuple[int | None, str]:
    """(HTTP status, error text) of one attempt; never raises."""
    endpoint = delivery.endpoint
    if not address_allowed(endpoint.url):
        return None, "The address is not a public HTTPS address."
    body = _body(delivery.payload).encode()
    now = timezone.now()
    message_id = f"msg_{delivery.message_id.hex}"
    headers = {
        "content-type": "application/json",
        "user-agent": f"{settings.SERVICE_NAME}-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(message_id, now, body),
    }
    try:
        response = _session().post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,  # a redirect could lead anywhere, our network too
            verify=settings.WEBHOOK_CA_BUNDLE or True,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def _record_delivered(deliveries: list[Delivery], codes: dict[int, int]) -> None:
    """The round's successes, in one transaction whatever their number: reserving may have
    made thousands of rows a minute."""
    if not deliveries:
        return
    now = timezone.now()
    with transaction.atomic():
        for code in set(codes.values()):
            Delivery.objects.filter(
                pk__in=[d.pk for d in deliveries if codes[d.pk] == code]
            ).update(
                status=Delivery.Status.DELIVERED,
                delivered_at=now,
                attempts=F("attempts") + 1,
                last_attempt_at=now,
                last_status_code=code,
                last_error="",
            )
        Endpoint.objects.filter(pk__in={d.endpoint_id for d in deliveries}).update(
            failures_in_a_row=0
        )


def _record_failed(delivery: Delivery, status_code: int | None, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        row.attempts += 1
        row.payload = delivery.payload  # the message as sent: a retry sends it again
        row.last_attempt_at, row.last_status_code, row.last_error = now, status_code, error
        pause = retry_after(row.attempts)
        if pause is None:
            row.status = Delivery.Status.FAILED
        else:
            row.next_attempt_at = now + pause
            transaction.on_commit(lambda at=row.next_attempt_at: _send_at(at))
        row.save()
        endpoint.failures_in_a_row += 1
        endpoint.save(update_fields=["failures_in_a_row"])
        if (
            endpoint.paused_at is None
            and endpoint.failures_in_a_row >= settings.WEBHOOK_PAUSE_AFTER_FAILURES
        ):
            _pause(endpoint, now)


def _pause(endpoint: Endpoint, now) -> None:
    """Stop sending to an endpoint that keeps failing, and tell its organisation's
    coordinators; what is waiting stays, and goes once they resume it."""
    from .outbox import endpoints_forget

    endpoint.paused_at = now
    endpoint.save(update_fields=["paused_at"])
    transaction.on_commit(endpoints_forget)
    coordinators = User.objects.filter(
        is_active=True,
        groups__name=COORDINATOR,
        unit__department__organisation_id=endpoint.organisation_id,
    )
    for user in coordinators:
        mail.send_later(
            to=user.email,
            template="webhook_paused",
            context={
                "url": endpoint.url,
                "failures": endpoint.failures_in_a_row,
                "page": settings.SITE_URL + reverse("webhooks:list"),
            },
            language=user.language or None,
        )
    logger.warning(
        "Webhook endpoint %s paused after %d failures", endpoint.pk, endpoint.failures_in_a_row
    )


def deliveries_send_due() -> int:
    """Send everything due, round after round. Returns how many attempts were made."""
    attempts = 0
    while due := _claim():
        delivered, codes = [], {}
        for delivery in due:
            status_code, error = _post(delivery)
            if error:
                _record_failed(delivery, status_code, error)
            else:
                delivered.append(delivery)
                codes[delivery.pk] = status_code
        _record_delivered(delivered, codes)
        attempts += len(due)
    return attempts


@task()
def deliveries_send() -> int:
    return deliveries_send_due()


def _send_at(when) -> None:
    try:
        deliveries_send.using(run_after=when).enqueue()
    except Exception:  # the periodic round sends what is due anyway
        logger.warning("No webhook round queued; the periodic jobs will send", exc_info=True)
