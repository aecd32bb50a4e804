"""Announcement pages: the coordinator's list and form (/organisation/announcements/),
everyone's list of current ones (/announcements/), and dismissing one (a POST form that
works without JavaScript; static/js/live-announcements.js sends it in place). Anyone but a
coordinator gets the 403 page on the coordinator's; another organisation's is a 404."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import submissions
from kierratys.common.redirects import redirect_next

from . import selectors, services
from .forms import AnnouncementForm

MANAGE = "announcements:manage"
TEXT_FIELDS = [f"{name}_{code}" for code in ("fi", "sv", "en") for name in ("title", "body")]


def manage(request):
    """GET: the coordinator's announcements and the form; POST: publish one."""
    organisation_id = selectors.coordinators_organisation_id(request.user)
    form = AnnouncementForm(request.POST or None, organisation_id=organisation_id)
    status = 200
    if request.method == "POST":

        def write(data):
            warehouse = data.get("warehouse")
            announcement = services.announcement_publish(
                actor=request.user,
                texts={name: data.get(name, "") for name in TEXT_FIELDS},
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                audience=data["audience"],
                role=data.get("role", ""),
                warehouse_id=warehouse.pk if warehouse else None,
                severity=data["severity"],
            )
            if announcement.announced_at:
                messages.success(request, _("Announcement published. It shows now."))
            else:
                messages.success(request, _("Announcement scheduled. It shows from its start."))
            return redirect(reverse(MANAGE) + f"#announcement-{announcement.pk}")

        outcome = submissions.submit_once(request, form, write=write, fallback=MANAGE)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = selectors.manage_page(user=request.user) | {"form": form}
    return render(request, "announcements/manage.html", context, status=status)


@require_POST
def end(request, pk):
    organisation_id = selectors.coordinators_organisation_id(request.user)
    selectors.announcement_of(organisation_id=organisation_id, announcement_id=pk)

    def write():
        services.announcement_end(actor=request.user, announcement_id=pk)
        return reverse(MANAGE) + f"#announcement-{pk}"

    return submissions.act_once(
        request, write=write, fallback=MANAGE, success=_("Announcement ended.")
    )


def announcements(request):
    """Every announcement the user sees now, the dismissed ones too."""
    return render(
        request,
        "announcements/list.html",
        {"items": selectors.list_for(user=request.user)},
    )


@require_POST
def dismiss(request, pk):
    services.announcement_dismiss(user=request.user, announcement_id=pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"dismissed": pk})
    return redirect_next(request, "announcements:list")
