"""The service's administrators set up an organisation's provider with its IT people."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..admin import ServiceAdministratorsOnly
from . import client
from .errors import SsoError
from .models import ExternalIdentity, IdentityProvider, RoleMapping, UnitMapping


class IdentityProviderForm(forms.ModelForm):
    """The client secret can be written, never read back: an empty field keeps it."""

    new_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Not shown again after saving. Leave empty to keep the current one."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "organisation",
            "name",
            "slug",
            "enabled",
            "allow_passwords",
            "issuer",
            "client_id",
            "scopes",
            "required_acr",
            "groups_claim",
            "unit_claim",
        ]

    def clean(self):
        cleaned = super().clean()
        secret = cleaned.get("new_client_secret")
        if secret:
            self.instance.client_secret = secret
        elif not self.instance.client_secret:
            self.add_error("new_client_secret", _("Enter the client secret."))
        problem = getattr(self, "discovery_problem", None)
        if problem is not None:
            self.add_error("issuer", problem.message)
        return cleaned


class RoleMappingInline(admin.TabularInline):
    model = RoleMapping
    extra = 1


class UnitMappingFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        organisation_id = self.instance.organisation_id
        for form in self.forms:
            unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
            if unit is not None and unit.department.organisation_id != organisation_id:
                raise ValidationError(_("Choose units of the provider's own organisation."))


class UnitMappingInline(admin.TabularInline):
    model = UnitMapping
    formset = UnitMappingFormSet
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(IdentityProvider)
class IdentityProviderAdmin(ServiceAdministratorsOnly, admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["name", "organisation", "issuer", "allow_passwords", "enabled"]
    list_filter = ["enabled", "allow_passwords"]
    search_fields = ["name", "issuer", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoleMappingInline, UnitMappingInline]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "slug", "enabled", "allow_passwords"]}),
        (
            _("Provider"),
            {"fields": ["issuer", "client_id", "new_client_secret", "scopes", "required_acr"]},
        ),
        (_("Claims"), {"fields": ["groups_claim", "unit_claim"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and not (obj and obj.identities.exists())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The provider's discovery document is read here, before the admin opens its
        # transaction, so no transaction waits on the provider.
        request.sso_discovery_problem = None  # per request: the admin is shared by threads
        issuer = request.POST.get("issuer", "") if request.method == "POST" else ""
        if issuer and request.user.is_superuser:
            try:
                client.discovery_check(issuer=issuer)
            except SsoError as problem:
                request.sso_discovery_problem = problem
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        problem = getattr(request, "sso_discovery_problem", None)
        return type(form.__name__, (form,), {"discovery_problem": problem})


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ServiceAdministratorsOnly, admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "last_signed_in_at"]
    search_fields = ["user__email", "subject"]
    list_filter = ["provider"]
    readonly_fields = ["provider", "subject", "user", "first_signed_in_at", "last_signed_in_at"]

    def has_add_permission(self, request):
        return False
