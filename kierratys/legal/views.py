"""The public legal pages (/accessibility/, /privacy/ and the feedback form: no sign-in
needed) and the coordinator's feedback pages. The organisation is the one in the address
(/<slug>/accessibility/ or ?organisation=<slug>), else the signed-in user's own; with
several and no choice the page lists them to pick from."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kierratys.accounts.identity import client_address
from kierratys.accounts.roles import is_coordinator, organisation_id_of
from kierratys.common.errors import add_to_form, status_of

from . import selectors, services
from .forms import AnswerForm, FeedbackForm
from .models import ANSWER_DAYS

_DUE_KEY = "legal_feedback_due"  # the thank-you page's date, kept in the session


def _organisation(request, slug):
    if not slug and "all" in request.GET:
        return None  # "another organisation's page": the list, even for a signed-in user
    return selectors.chosen_organisation(
        user=request.user, slug=slug or request.GET.get("organisation", "").strip() or None
    )


def _choose(request, page: str, title: str):
    organisations = selectors.organisations_to_choose()
    links = [
        {"organisation": o, "url": reverse(f"legal:{page}_of", args=[o.slug])}
        for o in organisations
    ]
    return render(request, "legal/choose.html", {"links": links, "title": title})


@login_not_required
def accessibility(request, slug=None):
    organisation = _organisation(request, slug)
    if organisation is None:
        return _choose(request, "accessibility", _("Accessibility statement"))
    statement = selectors.statement_of(organisation=organisation)
    context = {
        "organisation": organisation,
        "statement": statement,
        "answer_days": ANSWER_DAYS,
        "choose_url": reverse("legal:accessibility") + "?all",
    }
    if statement is not None:
        context |= {
            name: statement.text(name)
            for name in ("shortcomings", "authority_text", "authority_url")
        }
    if is_coordinator(request.user) and organisation_id_of(request.user) == organisation.pk:
        context["feedback_summary"] = selectors.feedback_list(user=request.user, limit=0)
    return render(request, "legal/accessibility.html", context)


@login_not_required
def privacy(request, slug=None):
    organisation = _organisation(request, slug)
    if organisation is None:
        return _choose(request, "privacy", _("Privacy notice"))
    notice = selectors.notice_of(organisation=organisation)
    return render(
        request,
        "legal/privacy.html",
        {
            "organisation": organisation,
            "notice": notice,
            "choose_url": reverse("legal:privacy") + "?all",
        },
    )


@login_not_required
def feedback(request, slug=None):
    organisation = _organisation(request, slug)
    if organisation is None:
        return _choose(request, "feedback", _("Accessibility feedback"))
    signed_in = request.user.is_authenticated
    form = FeedbackForm(
        request.POST or None,
        signed_in=signed_in,
        initial={"page_url": request.GET.get("page", "")[:500]},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = services.feedback_submit(
                    organisation_id=organisation.pk,
                    sender=request.user if signed_in else None,
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    page_url=data["page_url"],
                    message=data["message"],
                    language=get_language(),
                    client_address=client_address(request),
                )
            except ValidationError as error:
                add_to_form(form, error)
                status = 429 if getattr(error, "code", None) == "rate_limited" else status_of(error)
            else:
                request.session[_DUE_KEY] = sent.due_on.isoformat()
                return redirect("legal:feedback_thanks", organisation.slug)
    statement = selectors.statement_of(organisation=organisation)
    return render(
        request,
        "legal/feedback.html",
        {
            "organisation": organisation,
            "form": form,
            "statement": statement,
            "answer_days": ANSWER_DAYS,
        },
        status=status,
    )


@login_not_required
def feedback_thanks(request, slug):
    organisation = selectors.chosen_organisation(user=request.user, slug=slug)
    try:
        due_on = date.fromisoformat(request.session.get(_DUE_KEY, ""))
    except ValueError:
        due_on = None
    return render(
        request,
        "legal/feedback_thanks.html",
        {"organisation": organisation, "due_on": due_on, "answer_days": ANSWER_DAYS},
    )


def feedback_list(request):
    """The coordinator's list: newest first, overdue ones flagged. Others get the 403 page."""
    return render(request, "legal/feedback_list.html", selectors.feedback_list(user=request.user))


def feedback_detail(request, pk):
    """One message and its answer form; another organisation's message is a 404."""
    item = selectors.feedback_of(user=request.user, feedback_id=pk)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and not item.is_answered:
        status = 400
        if form.is_valid():
            try:
                services.feedback_answer(
                    actor=request.user, feedback_id=item.pk, answer=form.cleaned_data["answer"]
                )
            except ValidationError as error:
                add_to_form(form, error)
                status = status_of(error)
            else:
                if item.sender_email:
                    messages.success(
                        request,
                        _("Answer sent to %(email)s.") % {"email": item.sender_email},
                    )
                else:
                    messages.success(request, _("Answer saved."))
                return redirect("legal:feedback_detail", item.pk)
    return render(
        request, "legal/feedback_detail.html", {"item": item, "form": form}, status=status
    )
