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
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import add_to_form, status_of

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


def submit_once(request, form, *, write, fallback, add_errors=add_to_form) -> HttpResponse | int:
    """A bound form that must take effect once. `write(cleaned_data)` calls the service and
    returns the response to send (a redirect); this claims the token around it.

    Returns that response, the first submission's result for a repeated token, or the
    status to show the form again with: 400 for bad input (the form's or the service's),
    409 for a conflict. A refusal gives the token back and changes nothing.
    """
    if not form.is_valid():
        return 400
    with claim(request) as once:
        if once.repeat:
            return once.repeat_response(fallback)
        if once.missing:
            form.add_error(None, once.missing_message)
            return 400
        try:
            response = write(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
            return status_of(error)
        return once.done(response)


def act_once(request, *, write, fallback, success: str) -> HttpResponse:
    """A button with no page of its own (send to the warehouse, dispose) that must take
    effect once: `write()` calls the service and returns where to go. A refusal is told as
    messages on the way back to `fallback`, with nothing written."""
    with claim(request) as once:
        if once.missing:
            messages.error(request, once.missing_message)
            return redirect(fallback)
        if once.repeat:
            return once.repeat_response(fallback)
        try:
            target = write()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(fallback)
        messages.success(request, success)
        return once.done(redirect(target))
