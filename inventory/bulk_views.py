"""Bulk work on the chosen rows of "Our listings" (the form there posts here).

In inventory, beside its service (inventory/services/bulk.py), because sending to the
warehouse is inventory's and listings may not import inventory.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kierratys.common import inputs, submissions
from listings.projects.selectors import project_for_actor

from .services import bulk
from .services.bulk import Action

CHOOSE_ACTION = gettext_lazy("Choose what to do with the selected listings.")


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(value, value) for value in Action.values],
        error_messages={"required": CHOOSE_ACTION, "invalid_choice": CHOOSE_ACTION},
    )
    last_day = forms.DateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Enter the new last day as a date.")},
    )
    project = forms.CharField(required=False)  # an id; the service says what is wrong


def _back(ids: list[int]) -> str:
    """Back to "Our listings" with the same rows still chosen, at the top of the page where
    the messages say what happened."""
    url = reverse("listings:mine")
    return f"{url}?selected={','.join(map(str, ids))}" if ids else url


def _done(action: str, count: int, last_day, project_name: str = "") -> str:
    if action == Action.WITHDRAW:
        text = ngettext(
            "%(count)d listing withdrawn. Nobody can reserve it now.",
            "%(count)d listings withdrawn. Nobody can reserve them now.",
            count,
        )
    elif action == Action.EXTEND:
        text = ngettext(
            "%(count)d listing is now available until %(day)s.",
            "%(count)d listings are now available until %(day)s.",
            count,
        )
    elif action == Action.PROJECT:
        text = ngettext(
            "%(count)d listing moved to the project %(project)s.",
            "%(count)d listings moved to the project %(project)s.",
            count,
        )
    else:
        text = ngettext(
            "The warehouse has been asked to fetch %(count)d listing.",
            "The warehouse has been asked to fetch %(count)d listings.",
            count,
        )
    day = date_format(last_day, "SHORT_DATE_FORMAT") if last_day else ""
    return text % {"count": count, "day": day, "project": project_name}


def _refused(action: str, count: int) -> str:
    if action == Action.WITHDRAW:
        text = ngettext(
            "Nothing was changed: %(count)d of the selected listings cannot be withdrawn.",
            "Nothing was changed: %(count)d of the selected listings cannot be withdrawn.",
            count,
        )
    elif action == Action.EXTEND:
        text = ngettext(
            "Nothing was changed: %(count)d of the selected listings cannot be extended.",
            "Nothing was changed: %(count)d of the selected listings cannot be extended.",
            count,
        )
    elif action == Action.PROJECT:
        text = ngettext(
            "Nothing was changed: %(count)d of the selected listings cannot be moved to "
            "the project.",
            "Nothing was changed: %(count)d of the selected listings cannot be moved to "
            "the project.",
            count,
        )
    else:
        text = ngettext(
            "Nothing was changed: %(count)d of the selected listings cannot be sent to "
            "the warehouse.",
            "Nothing was changed: %(count)d of the selected listings cannot be sent to "
            "the warehouse.",
            count,
        )
    return text % {"count": count}


def _tell(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
def bulk_action(request):
    ids = inputs.positive_ids(request.POST.getlist("id"), limit=bulk.MAX_BATCH + 1)
    back = _back(ids[: bulk.MAX_BATCH])
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    action, last_day = form.cleaned_data["action"], form.cleaned_data["last_day"]
    project_id = inputs.positive_id(form.cleaned_data["project"])
    if action == Action.LABELS:  # nothing is written: the label sheet prints them
        try:
            listings = bulk.listings_for_bulk(actor=request.user, listing_ids=ids)
        except ValidationError as error:
            _tell(request, error)
            return redirect(back)
        return redirect(f"{reverse('listings:labels')}?ids={','.join(str(x.pk) for x in listings)}")
    with submissions.claim(request) as once:
        if once.missing:
            messages.error(request, once.missing_message)
            return redirect(back)
        if once.repeat:
            return once.repeat_response("listings:mine")
        try:
            done = bulk.listings_bulk_apply(
                actor=request.user,
                action=action,
                listing_ids=ids,
                last_day=last_day,
                project_id=project_id,
            )
        except bulk.BatchRefused as refused:
            messages.error(request, _refused(action, len(refused.failures)))
            for listing, reasons in refused.failures:
                messages.error(
                    request,
                    _("%(code)s %(title)s: %(reasons)s")
                    % {"code": listing.code, "title": listing.title, "reasons": " ".join(reasons)},
                )
            return redirect(back)
        except ValidationError as error:
            _tell(request, error)
            return redirect(back)
        project_name = ""
        if action == Action.PROJECT:
            project_name = project_for_actor(actor=request.user, project_id=project_id).name
        messages.success(request, _done(action, done, last_day, project_name))
        return once.done(redirect("listings:mine"))
