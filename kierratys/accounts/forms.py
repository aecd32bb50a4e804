from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import AccountError
from .identity import email_key
from .models import Organisation, Unit, User
from .selectors import units_for_signup
from .services import _organisation_of_domain, signup_email_check
from .sso import selectors as sso_selectors
from .unit_picker import UnitPickerField


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The email address or password is not correct. Check them and try again."
        ),
    }
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_username(self):
        # The key the account is stored and throttled under (views.login_username too).
        return email_key(self.cleaned_data["username"])

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not sso_selectors.passwords_allowed_for(user):
            raise ValidationError(
                _(
                    "Your organisation signs you in with its own accounts, not with a "
                    "password here. Leave the password empty and continue, or use the "
                    "button for your organisation."
                ),
                code=AccountError.SSO_ONLY,
            )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{unit.display_name} ({unit.department.display_name})"


def organisation_of_email(email) -> Organisation | None:
    """The organisation an address signs up to, by its domain (None when unknown); when
    the service has only one organisation, that one before any address is typed."""
    if email:
        return _organisation_of_domain(email_key(str(email)).partition("@")[2])
    active = list(Organisation.objects.filter(is_active=True)[:2])
    return active[0] if len(active) == 1 else None


class AccountDetailsForm(forms.Form):
    """Name, phone and unit: given at sign-up, confirmed by the owner on verification.

    The unit list holds only the units of the address's organisation (by its domain):
    another organisation's units are neither listed nor accepted."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    unit = UnitPickerField(
        label=_("Your unit"),
        help_text=_(
            "The school, day-care centre or office you work for: type a part of its name "
            "or street address and choose it from the list."
        ),
    )

    def __init__(self, *args, email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation_of_email(email)
        field = self.fields["unit"]
        if self.organisation is None:
            # The address's own message says why (signup_email_check); no second one here.
            field.required = False
            return
        field.organisation = self.organisation
        field.queryset = units_for_signup().filter(department__organisation_id=self.organisation.pk)
        field.error_messages["invalid_choice"] = _(
            "Choose a unit of your own organisation (%(organisation)s)."
        ) % {"organisation": self.organisation.display_name}


class SignUpForm(AccountDetailsForm):
    # A text field, not EmailField: signup_email_check is stricter than Django's
    # validator and its message says what a valid work address looks like.
    email = forms.CharField(
        label=_("Work email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "full_name", "phone", "unit"]

    def __init__(self, data=None, *args, **kwargs):
        email = data.get("email") if data is not None else None
        super().__init__(data, *args, email=email, **kwargs)
        # The script suggests the units of the typed address's organisation.
        self.fields["unit"].widget.email_field = "email"

    def clean_email(self):
        return signup_email_check(self.cleaned_data["email"])


class VerifyEmailForm(AccountDetailsForm):
    """The owner of the address chooses the password, and confirms the details."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        initial = {"full_name": user.full_name, "phone": user.phone, "unit": user.unit_id}
        super().__init__(*args, initial=initial, email=user.email, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            probe = User(email=self.user.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form for its field, labels and translations only.

    The view hands the address to services.password_reset_request: Django's save()
    would look the account up and send the mail inside the request.
    """

    def save(self, *args, **kwargs):
        raise NotImplementedError("use services.password_reset_request")


class ProfileForm(forms.Form):
    """What a user keeps up to date themselves: the reserve form is prefilled from it."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=_("Given as the contact phone when you reserve, so the giving unit can call."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=(),
        help_text=_("The service and its emails reach you in this language."),
    )

    def __init__(self, *args, user: User, **kwargs):
        initial = {"full_name": user.full_name, "phone": user.phone, "language": user.language}
        super().__init__(*args, initial=initial, **kwargs)
        identity = getattr(user, "external_identity", None)
        if identity is not None:
            # The provider owns the name (services.user_profile_update keeps it too).
            self.fields["full_name"].disabled = True
            self.fields["full_name"].help_text = _(
                "Comes from %(provider)s on every sign-in: change it there."
            ) % {"provider": identity.provider.name}
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES]
