"""The help page every signed-in person of an organisation reads (/help/), and its
coordinators' editing pages (/organisation/help/). Anyone but a coordinator gets the
friendly 403 page for editing; each sees only their own organisation's texts."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ...common import submissions
from ..roles import coordinators_organisation_id, is_coordinator
from . import selectors, services
from .forms import HelpTextForm
from .models import HelpText


def _coordinators_organisation(request) -> int:
    return coordinators_organisation_id(request.user)


def help_page(request):
    context = selectors.help_page(user=request.user) | {"may_edit": is_coordinator(request.user)}
    return render(request, "help/help.html", context)


def manage(request):
    organisation_id = _coordinators_organisation(request)
    texts = selectors.help_texts_of(organisation_id=organisation_id)
    kinds = [
        {"kind": kind, "label": label, "text": texts.get(kind)}
        for kind, label in HelpText.Kind.choices
    ]
    return render(request, "help/manage.html", {"kinds": kinds})


def edit(request, kind):
    organisation_id = _coordinators_organisation(request)
    if kind not in HelpText.Kind.values:
        raise Http404
    current = selectors.help_texts_of(organisation_id=organisation_id).get(kind)
    initial = (
        {f"text_{code}": getattr(current, f"text_{code}") for code in ("fi", "sv", "en")}
        if current
        else {}
    )
    form = HelpTextForm(request.POST or None, initial=initial, kind=kind)
    status = 200
    if request.method == "POST":

        def write(data):
            services.help_text_update(actor=request.user, kind=kind, **data)
            messages.success(request, _("Saved. Your staff see the new text at once."))
            return redirect("help:manage")

        outcome = submissions.submit_once(
            request, form, write=write, fallback=reverse("help:manage")
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"form": form, "kind": kind, "label": HelpText.Kind(kind).label}
    return render(request, "help/edit.html", context, status=status)


app_name = "help"
urlpatterns = [
    path("help/", help_page, name="page"),
    path("organisation/help/", manage, name="manage"),
    path("organisation/help/<slug:kind>/", edit, name="edit"),
]
