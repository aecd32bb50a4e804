from django import forms
from django.utils.translation import gettext_lazy as _

from .services import ANSWER_MAX_LENGTH, MESSAGE_MAX_LENGTH


class FeedbackForm(forms.Form):
    """Accessibility feedback. Signed-in people are answered at their account's address, so
    the name and email fields are left out for them."""

    message = forms.CharField(
        label=_("What did you find hard or impossible to use?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell us what you tried to do, what happened, and with what device or aid."),
    )
    page_url = forms.CharField(
        label=_("Page address or name"),
        max_length=500,
        required=False,
        help_text=_("For example the address of the page, or “the catalogue”."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send our answer here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if signed_in:
            del self.fields["name"]
            del self.fields["email"]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent to the sender by email. Say what you will do and by when."),
    )
