"""Write side of accessibility feedback: a message in, a coordinator's answer out.

The statement and the notice are edited in the admin (admin.py); nothing else writes them
except the demo seeder.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kierratys.accounts.identity import email_key
from kierratys.accounts.models import Organisation, User
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.common import mail
from kierratys.common.errors import Conflict, NotFound, ServiceError

from .models import AccessibilityFeedback, AccessibilityStatement, due_on_for

MESSAGE_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10000
# Messages one client may send in an hour: enough for anyone reporting real problems, too
# few to flood a coordinator's list (the form is open to anyone, signed in or not).
FEEDBACK_PER_CLIENT_PER_HOUR = 5


def _client_hash(client_address: str) -> str:
    return salted_hmac("kierratys.legal.feedback.client", client_address).hexdigest()


def feedback_submit(
    *,
    organisation_id: int,
    sender: User | None,
    name: str,
    email: str,
    page_url: str,
    message: str,
    language: str,
    client_address: str,
) -> AccessibilityFeedback:
    """Record feedback for the organisation, due for an answer in 14 days, and announce it
    at the organisation's feedback address. A signed-in sender's own name and address are
    used; anyone else must give an address for the answer."""
    signed_in = sender is not None and sender.is_authenticated
    if signed_in:
        name, email = sender.full_name, sender.email
    name, email, page_url, message = (
        name.strip(),
        email_key(email),
        page_url.strip(),
        message.strip(),
    )
    errors = {}
    if not message:
        errors["message"] = _("Describe the problem you found.")
    elif len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = _("The message is too long: at most %(n)d characters.") % {
            "n": MESSAGE_MAX_LENGTH
        }
    if not email:
        errors["email"] = _("Enter your email address so that we can answer you.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    if len(name) > AccessibilityFeedback._meta.get_field("sender_name").max_length:
        errors["name"] = _("The name is too long.")
    if len(page_url) > AccessibilityFeedback._meta.get_field("page_url").max_length:
        errors["page_url"] = _("The page address is too long.")
    if errors:
        raise ServiceError(errors)
    client = _client_hash(client_address)
    now = timezone.now()
    with transaction.atomic():
        organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
        if organisation is None:
            raise NotFound
        # Two messages at the same instant may both pass the count: one more in an hour
        # does not matter for this limit, so nothing is locked.
        recent = AccessibilityFeedback.objects.filter(
            client_hash=client, received_at__gte=now - timedelta(hours=1)
        )
        if recent.count() >= FEEDBACK_PER_CLIENT_PER_HOUR:
            raise ServiceError(
                _(
                    "Too many messages from this connection. Wait an hour and send it "
                    "again, or email us."
                ),
                code="rate_limited",
            )
        feedback = AccessibilityFeedback.objects.create(
            organisation=organisation,
            sender=sender if signed_in else None,
            sender_name=name,
            sender_email=email,
            page_url=page_url,
            message=message,
            language=language if language in dict(settings.LANGUAGES) else "fi",
            received_at=now,
            due_on=due_on_for(now),
            client_hash=client,
        )
        inbox = _feedback_inbox(organisation)
        if inbox:
            mail.send_later(
                to=inbox,
                template="accessibility_feedback",
                context={
                    "organisation": organisation.name,
                    "message": message,
                    "page_url": page_url,
                    "due_on": feedback.due_on.isoformat(),
                    "url": settings.SITE_URL + feedback_url(feedback),
                },
                language=settings.LANGUAGE_CODE,
            )
    return feedback


def _feedback_inbox(organisation: Organisation) -> str:
    statement = AccessibilityStatement.objects.filter(organisation=organisation).first()
    return (statement and statement.feedback_email) or organisation.support_email


def feedback_url(feedback: AccessibilityFeedback) -> str:
    return reverse("legal:feedback_detail", args=[feedback.pk])


def feedback_answer(*, actor: User, feedback_id: int, answer: str) -> AccessibilityFeedback:
    """A coordinator of the feedback's organisation answers it once; the sender gets the
    answer by email in the language they wrote in."""
    if not is_coordinator(actor):
        raise PermissionDenied
    answer = answer.strip()
    if not answer:
        raise ServiceError({"answer": _("Write the answer before sending it.")})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ServiceError(
            {
                "answer": _("The answer is too long: at most %(n)d characters.")
                % {"n": ANSWER_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        feedback = (
            AccessibilityFeedback.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=feedback_id, organisation_id=organisation_id_of(actor) or 0)
            .first()
        )
        if feedback is None:
            raise NotFound
        if feedback.is_answered:
            raise Conflict(_("This feedback has already been answered."), code="answered")
        feedback.answer = answer
        feedback.answered_at = timezone.now()
        feedback.answered_by = actor
        feedback.save(update_fields=["answer", "answered_at", "answered_by"])
        if feedback.sender_email:
            mail.send_later(
                to=feedback.sender_email,
                template="accessibility_answer",
                context={
                    "organisation": feedback.organisation.name,
                    "received_on": timezone.localdate(feedback.received_at).isoformat(),
                    "message": feedback.message,
                    "answer": answer,
                    "coordinator": actor.full_name,
                    "inbox": _feedback_inbox(feedback.organisation),
                    "statement_url": settings.SITE_URL
                    + reverse("legal:accessibility_of", args=[feedback.organisation.slug]),
                },
                language=feedback.language,
            )
    return feedback
