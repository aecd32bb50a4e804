from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FOOTER_MAX_CHARS, PAGE_MAX_CHARS, HelpText

LABELS = {
    "fi": _("In Finnish"),
    "sv": _("In Swedish"),
    "en": _("In English"),
}


class HelpTextForm(forms.Form):
    """One kind's texts in three languages. The service checks the lengths too."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        footer = kind == HelpText.Kind.EMAIL_FOOTER
        limit = FOOTER_MAX_CHARS if footer else PAGE_MAX_CHARS
        help_text = (
            _("Plain text, added to the end of every e-mail your staff get.")
            if footer
            else _(
                "Markdown: # Heading, **bold**, *italic*, - list, [link](https://…). "
                "HTML is shown as text."
            )
        )
        for code, label in LABELS.items():
            self.fields[f"text_{code}"] = forms.CharField(
                label=label,
                required=False,
                max_length=limit,
                strip=True,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 4 if footer else 14}),
            )
