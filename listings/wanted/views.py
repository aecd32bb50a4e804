from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kierratys.common import submissions
from kierratys.common.errors import status_of

from . import selectors, services
from .forms import AnswerForm, CategoryFilterForm, WantedForm


def wanted_list(request):
    filter_form = CategoryFilterForm(request.GET or None)
    page = selectors.wanted_page(
        user=request.user,
        category_id=filter_form.category_id(),
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "wanted/list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "own": selectors.wanted_of_unit(user=request.user),
        },
    )


def wanted_new(request):
    form = WantedForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":

        def write(cleaned):
            for_unit = cleaned.get("for_unit")
            wanted = services.wanted_post(
                actor=request.user,
                for_unit_id=for_unit.pk if for_unit is not None else None,
                fields=cleaned,
            )
            if wanted.on_behalf:
                messages.success(
                    request,
                    _("The request is posted for %(unit)s.") % {"unit": wanted.unit.display_name},
                )
            else:
                messages.success(request, _("Your request is posted."))
            return redirect(wanted)

        result = submissions.submit_once(request, form, write=write, fallback="wanted:list")
        if not isinstance(result, int):
            return result
        if form.has_error("for_unit", "invalid_choice"):
            raise Http404  # another organisation's unit, posted by hand (no probing)
        status = result
    return render(request, "wanted/form.html", {"form": form}, status=status)


def _detail(request, wanted, *, answer_form=None, status=200):
    return render(
        request,
        "wanted/detail.html",
        {"wanted": wanted, "answer_form": answer_form or AnswerForm()},
        status=status,
    )


def wanted_detail(request, pk):
    wanted = selectors.wanted_for_view(user=request.user, request_id=pk)
    return _detail(request, wanted)


@require_POST
def wanted_answer(request, pk):
    wanted = selectors.wanted_for_view(user=request.user, request_id=pk)
    form = AnswerForm(request.POST)

    def write(cleaned):
        listing = services.wanted_answer(
            actor=request.user, request_id=wanted.pk, category=cleaned["category"]
        )
        messages.success(
            request,
            _(
                "A draft listing is ready, filled in from the request. "
                "Check it, add photos and publish it."
            ),
        )
        return redirect("listings:edit", pk=listing.pk)

    result = submissions.submit_once(request, form, write=write, fallback="wanted:list")
    if not isinstance(result, int):
        return result
    return _detail(request, wanted, answer_form=form, status=result)


@require_POST
def wanted_close(request, pk):
    wanted = selectors.wanted_for_view(user=request.user, request_id=pk)
    fulfilled = request.POST.get("outcome") == "fulfilled"
    try:
        services.wanted_close(actor=request.user, request_id=wanted.pk, fulfilled=fulfilled)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _detail(request, wanted, status=status_of(error))
    messages.success(
        request,
        _("The request is closed as fulfilled.") if fulfilled else _("The request is closed."),
    )
    return redirect(wanted)
