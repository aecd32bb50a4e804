"""Webhooks (issue 19): an organisation's HTTPS endpoints, and the outbox of deliveries.

A delivery row is written in the same transaction as the change it tells of (outbox.py),
so a rolled-back change sends nothing and a committed one is never lost; the worker sends
it afterwards, signed, retried with growing pauses (delivery.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The live events an endpoint may ask for (docs/live-events.md), with what they tell.
EVENT_TYPES = {
    "listing.published": _("A listing is published or listed again"),
    "listing.changed": _("A published listing's quantity or details change"),
    "listing.removed": _("A listing is withdrawn, archived or gone"),
    "reservation.changed": _("A reservation is made, cancelled, expired, collected or extended"),
    "task.changed": _("A warehouse task is created or changes"),
}


class Endpoint(models.Model):
    organisation = models.ForeignKey(
        "kierratys.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    # Standard Webhooks: "whsec_" and base64 of 32 random bytes. Kept as is: signing needs it.
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="webhook_unique_url"),
            models.CheckConstraint(condition=Q(url__startswith="https://"), name="webhook_https"),
        ]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True)
    last_status_code = models.PositiveSmallIntegerField(null=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | (~Q(status="delivered") & Q(delivered_at__isnull=True)),
                name="webhook_delivered_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id}"
