from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kierratys.accounts.pauses.selectors import pauses_shown_to
from kierratys.common import inputs, submissions
from kierratys.common.limits import MAX_BULK_LISTINGS

from . import alerts, choices, fragments, search, selectors, services
from .audience import viewer_of
from .audience_summary import audience_summary
from .forms import AudienceForm, ListingForm, PhotoEditForm, SavedSearchForm, WithdrawForm
from .labels import qr_svg
from .models import Listing, SavedSearch
from .permissions import can_edit, can_see_history
from .projects.selectors import projects_for_actor
from .wanted import selectors as wanted_selectors


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def create(request):
    initial = {}
    copy_of = inputs.positive_id(request.GET.get("copy"))
    if copy_of is not None:
        source = selectors.listing_for_edit(user=request.user, listing_id=copy_of)
        initial = selectors.listing_copy_initial(source)
    form = ListingForm(
        request.POST or None, request.FILES or None, initial=initial, user=request.user
    )
    status = 200
    if request.method == "POST":
        once = submissions.claim(request)
        if once.repeat:
            return once.repeat_response("listings:mine")
        if once.missing:
            form.add_error(None, once.missing_message)
        elif form.is_valid():
            try:
                listing = services.listing_create(
                    actor=request.user,
                    unit=request.user.unit,
                    fields=form.listing_fields(),
                    uploads=form.cleaned_data["photos"],
                    publish=request.POST.get("action") != "draft",
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if listing.status == Listing.Status.PUBLISHED:
                    messages.success(
                        request, _("Your listing %(code)s is published.") % {"code": listing.code}
                    )
                else:
                    messages.success(request, _("Saved as a draft. Publish it when it is ready."))
                return once.done(redirect(listing))
        once.release()  # nothing was created: the same form may be sent again
        status = 400
    return render(request, "listings/form.html", {"form": form, "copy_of": copy_of}, status=status)


def edit(request, pk):
    listing = selectors.listing_for_edit(user=request.user, listing_id=pk)
    form = ListingForm(request.POST or None, instance=listing, prefix="listing")
    photo_form = PhotoEditForm(
        request.POST or None, request.FILES or None, listing=listing, prefix="photo"
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and photo_form.is_valid():
            try:
                services.listing_update(
                    actor=request.user,
                    listing_id=listing.pk,
                    fields=form.listing_fields(),
                    uploads=photo_form.cleaned_data["photos"],
                    remove_photo_ids=photo_form.cleaned_data["remove"],
                    alt_texts=photo_form.alt_texts(),
                    cover_photo_id=photo_form.cleaned_data["cover"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(listing)
        status = 400
    return render(
        request,
        "listings/edit.html",
        {"form": form, "photo_form": photo_form, "listing": listing},
        status=status,
    )


def detail(request, pk):
    listing = selectors.listing_for_view(user=request.user, listing_id=pk)
    editable = can_edit(request.user, listing)
    context = {
        "listing": listing,
        "photos": list(listing.photos.all()),
        "can_edit": editable,
        "history": (
            selectors.listing_history(listing=listing)
            if can_see_history(request.user, listing)
            else None
        ),
        "withdraw_form": WithdrawForm() if editable else None,
        "audience": audience_summary(user=request.user, listing=listing),
        "similar": selectors.similar_listings(user=request.user, listing=listing),
    }
    return render(request, "listings/detail.html", context)


def _state_change(request, pk, action, success_message):
    try:
        action(actor=request.user, listing_id=pk)
    except (Listing.DoesNotExist, PermissionDenied) as error:
        raise Http404 from error  # same answer as for a listing that does not exist
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("listings:detail", pk=pk)
    messages.success(request, success_message)
    return redirect("listings:detail", pk=pk)


@require_POST
def publish(request, pk):
    return _state_change(request, pk, services.listing_publish, _("The listing is published."))


@require_POST
def withdraw(request, pk):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def action(*, actor, listing_id):
        return services.listing_withdraw(actor=actor, listing_id=listing_id, reason=reason)

    return _state_change(
        request, pk, action, _("The listing is withdrawn. Nobody can reserve it now.")
    )


@require_POST
def audience(request, pk):
    """Widen the audience now, keep it where it is, or let it move on on schedule again."""
    form = AudienceForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("listings:detail", pk=pk)
    try:
        listing = services.listing_audience_set(
            actor=request.user,
            listing_id=pk,
            audience=form.cleaned_data["audience"],
            hold=form.cleaned_data["hold"],
        )
    except (Listing.DoesNotExist, PermissionDenied) as error:
        raise Http404 from error  # same answer as for a listing that does not exist
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        summary = audience_summary(user=request.user, listing=listing)
        messages.success(request, summary.text if summary else _("Changes saved."))
    return redirect("listings:detail", pk=pk)


def mine(request):
    listings = selectors.listings_of_unit(unit=request.user.unit) if request.user.unit_id else []
    # Rows chosen again after a refused bulk action (inventory.bulk_views), or all of them
    # by the "select all" link that works without JavaScript.
    everything = request.GET.get("select") == "all"
    selected = set(inputs.positive_ids([request.GET.get("selected", "")], limit=MAX_BULK_LISTINGS))
    context = {
        "listings": listings,
        "selected": selected,
        "select_all": everything,
        "bulk_max": MAX_BULK_LISTINGS,
        "projects": projects_for_actor(actor=request.user),  # "move to a project"
    }
    return render(request, "listings/mine.html", context)


def label(request, pk):
    listing = selectors.listing_for_view(user=request.user, listing_id=pk)
    return render(
        request,
        "listings/labels.html",
        {"labels": [_label(request, listing)], "single": True},
    )


def labels(request):
    ids = inputs.positive_ids([request.GET.get("ids", ""), *request.GET.getlist("id")], limit=240)
    listings = selectors.listings_for_labels(user=request.user, ids=ids)
    if not listings:
        messages.error(request, _("Choose at least one of your unit's listings to print labels."))
        return redirect("listings:mine")
    return render(
        request,
        "listings/labels.html",
        {"labels": [_label(request, listing) for listing in listings], "single": False},
    )


def _label(request, listing):
    url = request.build_absolute_uri(reverse("listings:detail", args=[listing.pk]))
    return {"listing": listing, "url": url, "qr": qr_svg(url)}


def catalogue(request):
    with choices.pinned():  # one read of the cached filter choices for the whole page
        return _catalogue(request)


def _catalogue(request):
    params, status, refusal = request.GET, 200, None
    if search.clean_query(params.get("q", "")) and not search.rate_allows(request.user):
        params, status = params.copy(), 429
        params.pop("q")
        refusal = _("You have searched very often in a short time. Wait a minute and try again.")
    filterset, page, notes, version = selectors.catalogue_page(
        user=request.user, params=params, page_number=params.get("page")
    )
    if refusal:
        notes = [refusal, *notes]
    viewer = viewer_of(request.user)  # already worked out by catalogue_page
    context = {
        "filter": filterset,
        "page": page,
        # Rendered once per listing version and language, from the shared cache.
        "cards": fragments.cards(page.object_list),
        "notes": notes,
        "filter_key": fragments.filter_form_key(
            filterset=filterset, viewer=viewer, version=version
        ),
        "chips": selectors.active_filters(filterset=filterset, params=params),
        # Ordering paused for the viewer's organisation or a partner's (issue 21).
        "pauses": pauses_shown_to(
            organisation_ids={viewer.organisation_id, *viewer.finding_partner_ids}
        ),
    }
    # "N requests want this" under a category filter (listings.wanted, from the cache).
    context["wanted_category"] = getattr(filterset.form, "cleaned_data", {}).get("category")
    context["wanted_count"] = wanted_selectors.wanted_count_for_category(
        user=request.user, category_id=context["wanted_category"]
    )
    if request.headers.get("X-Partial") == "results":
        return render(request, "listings/_results.html", context, status=status)
    return render(request, "listings/catalogue.html", context, status=status)


def card(request, pk):
    listing = selectors.card_listing(user=request.user, listing_id=pk)
    return HttpResponse(fragments.cards([listing])[0])


# --- Saved searches -------------------------------------------------------------------------


def searches(request):
    return render(
        request,
        "listings/searches.html",
        {"searches": selectors.saved_searches_of(user=request.user)},
    )


def search_new(request):
    query = services.normalise_query(
        request.POST.get("query") if request.method == "POST" else request.GET
    )
    form = SavedSearchForm(request.POST or None, initial={"name": request.GET.get("q", "")[:100]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.saved_search_create(
                    user=request.user, name=form.cleaned_data["name"], query=query
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("Search saved. We will tell you when new items match it.")
                )
                return redirect("listings:searches")
        status = 400
    context = {
        "form": form,
        "query": query,
        "summary": selectors.describe_query(query, user=request.user),
    }
    return render(request, "listings/search_new.html", context, status=status)


@require_POST
def search_rename(request, pk):
    form = SavedSearchForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["name"])
        services.saved_search_rename(
            user=request.user, search_id=pk, name=form.cleaned_data["name"]
        )
    except SavedSearch.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Search renamed."))
    return redirect("listings:searches")


@require_POST
def search_delete(request, pk):
    try:
        services.saved_search_delete(user=request.user, search_id=pk)
    except SavedSearch.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, _("Search deleted."))
    return redirect("listings:searches")


@require_POST
def search_alerts(request, pk):
    saved = SavedSearch.objects.filter(pk=pk, user=request.user).first()
    if saved is None:
        raise Http404
    enabled = request.POST.get("enabled") == "1"
    services.saved_search_set_alerts(saved=saved, enabled=enabled)
    messages.success(request, _("Email alerts on.") if enabled else _("Email alerts off."))
    return redirect("listings:searches")


@login_not_required
@csrf_exempt  # RFC 8058 one-click POSTs carry no CSRF token; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def search_unsubscribe(request, token):
    """The link in alert emails, no login needed: the signed token names the search.

    GET only asks, with a button: mail scanners follow links. The button's POST, or the
    mail client's one-click POST (List-Unsubscribe-Post), turns the emails off.
    """
    saved = alerts.saved_search_for_token(token)
    if saved is None:
        return render(request, "listings/unsubscribed.html", {"invalid": True}, status=404)
    if request.method == "POST":
        saved = services.saved_search_set_alerts(saved=saved, enabled=False)
        return render(request, "listings/unsubscribed.html", {"saved": saved, "done": True})
    return render(request, "listings/unsubscribed.html", {"saved": saved})
