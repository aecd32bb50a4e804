"""Personal data pages (issue 23): a person's own download, and the coordinator's access
log, a person's privacy page, their export and anonymising.

The "privacy" namespace under /organisation/privacy/; the own download is at
/accounts/profile/my-data.json (`own_export`, named "personal_data_download").
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys.accounts.privacy import selectors
from kierratys.common import inputs  # also the <id:...> path converter
from kierratys.common.errors import add_to_form, status_of

from . import anonymise
from .personal_data import personal_data_export


class LogFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or email"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Of the person whose details were seen, or of the viewer."),
    )


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the name, email, phone and what this person wrote are "
            "removed for good, and that the account is switched off."
        ),
        required=True,
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


def _json_download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in any cache
    return response


def _file_name(user_id: int) -> str:
    return f"kierratys-personal-data-{user_id}-{timezone.localdate().isoformat()}.json"


def own_export(request):
    """The signed-in person's own data as JSON ("Download my data" on the profile)."""
    data = personal_data_export(actor=request.user, user_id=request.user.pk)
    return _json_download(data, _file_name(request.user.pk))


def _where(ref: str) -> tuple[str, str]:
    """The log's object reference as a label and a link (written by personal_data_viewed's
    callers: "reservation:12", "task:5", "run_sheet:<warehouse>:<date>", "user:7")."""
    kind, _sep, rest = ref.partition(":")
    if kind == "run_sheet":
        warehouse, _sep, day = rest.partition(":")
        parsed = inputs.iso_date(day)
        if parsed is not None and warehouse.isdigit():
            label = _("Run sheet %(date)s") % {"date": date_format(parsed, "SHORT_DATE_FORMAT")}
            return label, f"{reverse('inventory:run_sheet')}?warehouse={warehouse}&date={day}"
    if rest.isdigit():
        pk = int(rest)
        if kind == "reservation":
            return _("Reservation #%(id)d") % {"id": pk}, reverse("reservations:detail", args=[pk])
        if kind == "task":
            return _("Task #%(id)d") % {"id": pk}, reverse("inventory:task", args=[pk])
        if kind == "user":
            return _("Account #%(id)d") % {"id": pk}, reverse("privacy:person", args=[pk])
    return ref, ""


def access_log(request):
    form = LogFilterForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    subject_id = inputs.positive_id(request.GET.get("person"))
    page = selectors.access_log_page(
        user=request.user, query=query, subject_id=subject_id, page=request.GET.get("page")
    )
    for entry in page.object_list:
        entry.where_label, entry.where_url = _where(entry.ref)
    person = (
        selectors.person_for_coordinator(user=request.user, person_id=subject_id)
        if subject_id is not None
        else None
    )
    return render(
        request,
        "privacy/log.html",
        {"form": form, "page": page, "person": person, "months": settings.ACCESS_LOG_MONTHS},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def person(request, pk):
    person = selectors.person_for_coordinator(user=request.user, person_id=pk)
    context = {
        "person": person,
        "may_anonymise": anonymise.may_anonymise(request.user, person),
    }
    return render(request, "privacy/person.html", context)


def person_export(request, pk):
    person = selectors.person_for_coordinator(user=request.user, person_id=pk)
    data = personal_data_export(actor=request.user, user_id=person.pk)
    return _json_download(data, _file_name(person.pk))


def person_anonymise(request, pk):
    """GET: what will happen, and the box to tick; POST: do it."""
    person = selectors.person_for_coordinator(user=request.user, person_id=pk)
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                anonymise.user_anonymise(actor=request.user, user_id=person.pk)
            except ValidationError as error:
                add_to_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, _("The person is anonymised."))
                return redirect("privacy:person", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "may_anonymise": anonymise.may_anonymise(request.user, person),
    }
    return render(request, "privacy/anonymise.html", context, status=status)


urls = [
    path("log/", access_log, name="log"),
    path("users/<id:pk>/", person, name="person"),
    path("users/<id:pk>/export.json", person_export, name="export"),
    path("users/<id:pk>/anonymise/", person_anonymise, name="anonymise"),
]
