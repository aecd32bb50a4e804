"""End-of-life pages: the owner's decision (donate, sell, recycle) and the coordinator's
list of donation recipients. Bind input, call one service or selector, render."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kierratys.common import submissions
from kierratys.common.errors import ServiceError

from . import end_of_life_selectors, selectors, services
from .models import EndOfLife
from .services.end_of_life import weight_per_item

Outcome = EndOfLife.Outcome


class EndOfLifeForm(forms.Form):
    """The three choices and their fields; the rules (what each needs) are the service's."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("What happens to it"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose donate, sell or recycle.")},
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("How many"),
        error_messages={"invalid": gettext_lazy("Enter a whole number.")},
    )
    recipient = forms.TypedChoiceField(
        label=gettext_lazy("Recipient"), required=False, coerce=int, empty_value=None
    )
    fraction = forms.ChoiceField(
        label=gettext_lazy("Material fraction"),
        required=False,
        choices=[("", gettext_lazy("Choose the fraction")), *EndOfLife.Fraction.choices],
    )
    weight_kg = forms.DecimalField(
        label=gettext_lazy("Weight (kg)"),
        required=False,
        localize=True,
        error_messages={"invalid": gettext_lazy("Enter the weight in kilograms, more than 0.")},
    )
    starting_price_eur = forms.DecimalField(
        label=gettext_lazy("Suggested starting price (€)"),
        required=False,
        localize=True,
        error_messages={
            "invalid": gettext_lazy("Enter a suggested starting price in euros, 0 or more.")
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, listing, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [
            ("", _("Choose the recipient")),
            *((recipient.pk, recipient.name) for recipient in recipients),
        ]
        quantity = self.fields["quantity"]
        quantity.initial = listing.quantity_available
        quantity.widget.attrs.update({"min": 1, "max": listing.quantity_available})
        quantity.help_text = _("%(n)d still available; reserved items stay reserved.") % {
            "n": listing.quantity_available
        }
        per_item = weight_per_item(listing)
        if per_item is not None:
            self.fields["weight_kg"].help_text = _(
                "Leave empty to use %(kg)s kg per item × how many."
            ) % {"kg": floatformat(per_item, -2)}
        self.fields["weight_kg"].widget.attrs.update({"inputmode": "decimal"})
        self.fields["starting_price_eur"].widget.attrs.update({"inputmode": "decimal"})


def _success_message(row: EndOfLife) -> str:
    values = {"n": row.quantity, "title": row.listing.title}
    if row.outcome == Outcome.DONATE:
        return _("Recorded: %(n)d × %(title)s to be donated to %(recipient)s.") % {
            **values,
            "recipient": row.recipient.name,
        }
    if row.outcome == Outcome.RECYCLE:
        return _("Recorded: %(n)d × %(title)s to be recycled as %(fraction)s, %(kg)s kg.") % {
            **values,
            "fraction": row.get_fraction_display().lower(),
            "kg": floatformat(row.weight_kg, -2),
        }
    return (
        _(
            "Recorded: %(n)d × %(title)s for sale. "
            "The coordinator exports it to the auction service."
        )
        % values
    )


def _closed_reason(listing) -> str:
    if listing.status == listing.Status.DRAFT:
        return _("This listing is a draft: it has not been offered to anyone yet.")
    if listing.quantity_available < 1:
        return _("Nothing of this item is left to decide on.")
    return _(
        "This item is still on offer. Its end of life can be decided once its last stage has "
        "ended, it has been withdrawn or its last day has passed."
    )


def end_of_life(request, pk):
    """What happens to what is left when nobody took it in time."""
    listing = selectors.listing_for_edit(user=request.user, listing_id=pk)
    page = reverse("listings:end_of_life", args=[listing.pk])
    recipients = list(
        end_of_life_selectors.recipients_for_donation(organisation_id=listing.organisation_id)
    )
    form = EndOfLifeForm(request.POST or None, listing=listing, recipients=recipients)
    status = 200
    if request.method == "POST":

        def write(data):
            row = services.listing_end_of_life_decide(
                actor=request.user,
                listing_id=listing.pk,
                outcome=data["outcome"],
                quantity=data["quantity"],
                recipient_id=data["recipient"],
                fraction=data["fraction"],
                weight_kg=data["weight_kg"],
                starting_price_eur=data["starting_price_eur"],
                note=data["note"],
            )
            messages.success(request, _success_message(row))
            # Something left (a part was decided on): the page again, for the rest.
            return redirect(page if services.decision_open(row.listing) else listing)

        outcome = submissions.submit_once(request, form, write=write, fallback=page)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
        listing.refresh_from_db()
    context = {
        "listing": listing,
        "form": form,
        "open": services.decision_open(listing),
        "awaits": services.awaits_decision(listing),
        "closed_reason": _closed_reason(listing),
        "recipients": recipients,
        "decisions": end_of_life_selectors.decisions_of_listing(listing=listing),
        "can_keep_recipients": _keeps_recipients(request.user),
    }
    return render(request, "listings/end_of_life.html", context, status=status)


def _keeps_recipients(user) -> bool:
    try:
        end_of_life_selectors.coordinator_organisation_id(user)
    except PermissionDenied:
        return False
    return True


# --- the coordinator's list of donation recipients ---------------------------------------------


class RecipientForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the recipient's name.")},
        help_text=gettext_lazy("An association or organisation that takes donated furniture."),
    )
    contact = forms.CharField(
        label=gettext_lazy("Contact details"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Who to call or e-mail about a donation, and how."),
    )


def recipients(request):
    rows = end_of_life_selectors.recipients_for_settings(user=request.user)
    return render(request, "listings/recipients.html", {"recipients": rows})


def _recipient_form(request, form, *, write, title, submit, done, recipient=None):
    status = 200
    back = reverse("listings:recipients")
    if request.method == "POST":

        def written(data):
            write(data)
            messages.success(request, done)
            return redirect(back)

        outcome = submissions.submit_once(request, form, write=written, fallback=back)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"form": form, "title": title, "submit": submit, "recipient": recipient}
    return render(request, "listings/recipients_form.html", context, status=status)


def recipient_create(request):
    end_of_life_selectors.coordinator_organisation_id(request.user)  # 403 for anyone else
    form = RecipientForm(request.POST or None)

    def write(data):
        services.recipient_create(actor=request.user, name=data["name"], contact=data["contact"])

    return _recipient_form(
        request,
        form,
        write=write,
        title=_("Add a donation recipient"),
        submit=_("Add the recipient"),
        done=_("Recipient added. Owners can donate to it from now on."),
    )


def recipient_edit(request, pk):
    recipient = end_of_life_selectors.recipient_for_settings(user=request.user, recipient_id=pk)
    form = RecipientForm(
        request.POST or None, initial={"name": recipient.name, "contact": recipient.contact}
    )

    def write(data):
        services.recipient_update(
            actor=request.user,
            recipient_id=recipient.pk,
            name=data["name"],
            contact=data["contact"],
        )

    return _recipient_form(
        request,
        form,
        write=write,
        title=_("Edit %(recipient)s") % {"recipient": recipient.name},
        submit=_("Save"),
        done=_("Recipient saved."),
        recipient=recipient,
    )


SWITCHES = {"deactivate": False, "activate": True}


def recipient_switch(request, pk, action):
    """Take a recipient out of use (no new donations; past ones stay) or back into use."""
    recipient = end_of_life_selectors.recipient_for_settings(user=request.user, recipient_id=pk)
    if request.method != "POST" or action not in SWITCHES:
        return redirect("listings:recipient_edit", pk=recipient.pk)
    active = SWITCHES[action]
    done = (
        _("%(recipient)s is in use again.") if active else _("%(recipient)s is out of use.")
    ) % {"recipient": recipient.name}
    try:
        services.recipient_update(actor=request.user, recipient_id=recipient.pk, is_active=active)
    except ServiceError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("listings:recipients")
