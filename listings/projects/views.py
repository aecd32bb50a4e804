"""Project pages: the list, a project's form, and its room-by-room survey. Bind input, call
one service or selector, render. The progress report is kierratys/reports/project_views.py
(it counts reservations, which listings may not import)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import submissions
from kierratys.common.errors import add_to_form

from . import selectors, services
from .forms import ProjectForm, SurveyItemForm
from .models import ProjectItem


def project_list(request):
    projects = selectors.projects_list(actor=request.user)
    return render(request, "projects/list.html", {"projects": projects})


def _project_fields(data) -> dict:
    return {
        "unit": data["unit"],
        "kind": data["kind"],
        "name": data["name"],
        "building": data["building"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "target_reuse_rate": data["target_reuse_rate"],
    }


def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user, initial={"target_reuse_rate": 70})
    status = 200
    if request.method == "POST":

        def write(data):
            project = services.project_create(actor=request.user, **_project_fields(data))
            messages.success(
                request,
                _("Project %(name)s created. Survey its rooms next.") % {"name": project.name},
            )
            return redirect("projects:detail", pk=project.pk)

        outcome = submissions.submit_once(request, form, write=write, fallback="projects:list")
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"form": form, "title": _("New project"), "submit": _("Create the project")}
    return render(request, "projects/form.html", context, status=status)


def project_edit(request, pk):
    project = selectors.project_for_actor(actor=request.user, project_id=pk)
    initial = {
        "name": project.name,
        "kind": project.kind,
        "building": project.building,
        "unit": project.unit_id,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "target_reuse_rate": project.target_reuse_rate,
    }
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":

        def write(data):
            services.project_update(
                actor=request.user, project_id=project.pk, **_project_fields(data)
            )
            messages.success(request, _("The project is saved."))
            return redirect("projects:detail", pk=project.pk)

        outcome = submissions.submit_once(request, form, write=write, fallback="projects:list")
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {
        "form": form,
        "project": project,
        "title": _("Edit the project"),
        "submit": _("Save"),
    }
    return render(request, "projects/form.html", context, status=status)


def _survey_errors(form, error) -> None:
    """A refused photo is told under the photo; the rest where the service puts it."""
    if not hasattr(error, "error_dict") and form.cleaned_data.get("photo"):
        form.add_error("photo", error)
    else:
        add_to_form(form, error)


def project_detail(request, pk):
    """The project and its survey: a form for the next line (the same room again after
    each one) and the rooms surveyed so far."""
    project = selectors.project_for_actor(actor=request.user, project_id=pk)
    room = request.GET.get("room", "").strip()[:100]
    form = SurveyItemForm(
        request.POST or None, request.FILES or None, initial={"room": room, "quantity": 1}
    )
    status = 200
    if request.method == "POST":

        def write(data):
            item = services.project_item_add(
                actor=request.user,
                project_id=project.pk,
                room=data["room"],
                title=data["title"],
                quantity=data["quantity"],
                decision=data["decision"],
                category=data["category"],
                condition=data["condition"],
                photo=data["photo"],
            )
            if item.decision == ProjectItem.Decision.OFFER:
                text = _(
                    "Saved: %(quantity)d × %(title)s in %(room)s, offered. Draft listing "
                    "%(code)s is in the project."
                )
            else:
                text = _("Saved: %(quantity)d × %(title)s in %(room)s, kept.")
            messages.success(
                request,
                text
                % {
                    "quantity": item.quantity,
                    "title": item.title,
                    "room": item.room,
                    "code": item.listing.code if item.listing else "",
                },
            )
            url = reverse("projects:detail", args=[project.pk])
            return redirect(f"{url}?{urlencode({'room': item.room})}#survey")

        outcome = submissions.submit_once(
            request, form, write=write, fallback="projects:list", add_errors=_survey_errors
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {
        "project": project,
        "form": form,
        "rooms": selectors.project_rooms(project=project),
        "other_listings": selectors.project_other_listings(project=project),
    }
    return render(request, "projects/detail.html", context, status=status)


@require_POST
def project_item_remove(request, pk, item_pk):
    back = reverse("projects:detail", args=[pk])

    def write():
        services.project_item_remove(actor=request.user, project_id=pk, item_id=item_pk)
        return back

    return submissions.act_once(
        request, write=write, fallback=back, success=_("The line is taken out of the survey.")
    )
