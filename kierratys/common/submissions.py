"""Forms that must take effect once: a one-time token per rendered form.

A double click, a reload after a slow answer or the back button must never reserve twice,
book two deliveries or create two listings. Each such form carries a random token in a
hidden field ({% submission_field %}); the view claims it before writing. The claim is a
row with a unique (user, token) pair, so it holds across processes; a repeated token gets
the first submission's result page, never a second write. A claim whose write failed
(bad input, a conflict) is given back, so the corrected form can be sent again.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD = "submission"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP = timedelta(days=1)  # long enough for any back button


def new_token() -> str:
    return secrets.token_urlsafe(16)


class FormSubmission(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "kierratys"
        verbose_name = gettext_lazy("form submission")
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="formsubmission_once")
        ]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.user_id}: {self.token}"


class Claim:
    """The outcome of claiming a form's token: new (go ahead), repeat or missing.

    Use as a context manager: leaving it without `done()` gives the token back.
    """

    def __init__(self, request):
        self.request = request
        self.row = None
        self.first = None
        token = request.POST.get(FIELD, "")
        self.missing = not (request.user.is_authenticated and TOKEN.fullmatch(token))
        if self.missing:
            return
        user = request.user
        FormSubmission.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
        try:
            with transaction.atomic():
                self.row = FormSubmission.objects.create(user=user, token=token)
        except IntegrityError:
            self.first = FormSubmission.objects.filter(user=user, token=token).first()

    @property
    def repeat(self) -> bool:
        return not self.missing and self.row is None

    @property
    def missing_message(self) -> str:
        return _("The form could not be sent. Check the details and send it again.")

    def repeat_response(self, fallback, *args) -> HttpResponseRedirect:
        """Where the first submission led; while it is still running, the fallback."""
        if self.first is not None and self.first.result_url:
            messages.info(self.request, _("This form was already sent. Here is the result."))
            return HttpResponseRedirect(self.first.result_url)
        messages.info(
            self.request,
            _("This form was already sent and is being handled. Check the result in a moment."),
        )
        return HttpResponseRedirect(resolve_url(fallback, *args))

    def done(self, response):
        """Remember where this submission led (its redirect); keep the token used."""
        if self.row is not None:
            self.row.result_url = response.get("Location", "")[:500]
            self.row.save(update_fields=["result_url"])
            self.row = None
        return response

    def release(self) -> None:
        """Nothing was written: the same token may be sent again."""
        if self.row is not None:
            self.row.delete()
            self.row = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
        return False


def claim(request) -> Claim:
    return Claim(request)
