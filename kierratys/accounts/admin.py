from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import hooks, services
from .identity import email_key
from .models import Department, EmailDomain, Organisation, Unit, User
from .organisations import domain_normalise
from .roles import COORDINATOR, ROLE_LABELS, ROLES, STAFF, organisation_id_of


class EmailKeyMixin:
    """Addresses are stored in their one spelling (identity.email_key), so the unique
    check sees look-alike spellings as the same address."""

    def clean_email(self):
        return email_key(self.cleaned_data["email"])


class UserAddForm(EmailKeyMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email"]


class UserRolesForm(EmailKeyMixin, UserChangeForm):
    """Roles are set through the service so admin access follows the coordinator role."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r, label) for r, label in ROLE_LABELS.items() if r != STAFF],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every active user is unit staff; add the warehouse or coordinator role."),
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = list(
                self.instance.groups.filter(name__in=ROLES).values_list("name", flat=True)
            )

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        actor = getattr(self, "actor", None)
        removing_own = actor and actor.pk == self.instance.pk and COORDINATOR not in roles
        if removing_own and COORDINATOR in self.initial.get("roles", []):
            raise forms.ValidationError(_("You cannot remove your own coordinator role."))
        return roles

    def clean_is_active(self):
        active = self.cleaned_data["is_active"]
        actor = getattr(self, "actor", None)
        if not active and actor and actor.pk == self.instance.pk:
            raise forms.ValidationError(_("You cannot deactivate your own account."))
        return active


class OwnOrganisationOnly:
    """A coordinator sees and edits the departments, units and people (and warehouses,
    listings) of their own organisation only, and can choose only among them; the
    service's administrators (superusers) see every organisation's. `organisation_path`
    leads from the model to it. Another organisation's object is "not found" (the admin's
    redirect with its warning, as for an id that does not exist); list filters over
    related objects use `OwnOnlyFilter`, so they name only what the list holds."""

    organisation_path = ""
    choice_paths = {}  # foreign key field -> its model's path to the organisation

    def _own(self, request) -> int:
        return organisation_id_of(request.user) or 0  # none: matches nothing

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_path: self._own(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = self.choice_paths.get(db_field.name)
        if path is not None and not request.user.is_superuser and field is not None:
            field.queryset = field.queryset.filter(**{path: self._own(request)})
        return field


# A list filter over related objects that lists only those in the admin's own queryset
# (Django's plain related filter would list every organisation's departments and units).
OwnOnlyFilter = admin.RelatedOnlyFieldListFilter


class ForgetFilterChoices:
    """The catalogue caches departments and units for its filters: refresh them on save."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        hooks.organisation_changed()


class EmailDomainForm(forms.ModelForm):
    class Meta:
        model = EmailDomain
        fields = ["domain"]

    def clean_domain(self):
        return domain_normalise(self.cleaned_data["domain"])

    def validate_unique(self):
        super().validate_unique()
        domain = self.cleaned_data.get("domain")
        others = EmailDomain.objects.filter(domain=domain).exclude(pk=self.instance.pk)
        if domain and others.exists():
            self.add_error(
                "domain",
                _("The email domain %(domain)s already belongs to another organisation.")
                % {"domain": domain},
            )


class EmailDomainInline(admin.TabularInline):
    model = EmailDomain
    form = EmailDomainForm
    extra = 1


class ServiceAdministratorsOnly:
    """Organisations are managed by the service's administrators, not by an organisation's
    coordinators (who manage their own departments and units)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # its records stay: deactivate instead

    def get_queryset(self, request):
        # Nothing for anyone else, so no page (not even the history) tells an existing id
        # from a missing one.
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "business_id", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_sv", "name_en", "business_id", "email_domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EmailDomainInline]
    fieldsets = [
        (None, {"fields": ["name", "name_sv", "name_en", "slug", "kind", "business_id"]}),
        (
            _("Contact and look"),
            {"fields": ["support_email", "support_phone", "logo", "brand_colour"]},
        ),
        (
            _("Languages and audience"),
            {"fields": ["languages", "department_days", "organisation_days", "partner_days"]},
        ),
        (_("Impact"), {"fields": ["impact_overrides"]}),
        (None, {"fields": ["is_active"]}),
    ]


@admin.register(Department)
class DepartmentAdmin(OwnOrganisationOnly, ForgetFilterChoices, admin.ModelAdmin):
    organisation_path = "organisation_id"
    choice_paths = {"organisation": "pk"}
    list_display = ["name", "name_sv", "name_en", "code", "organisation"]
    list_filter = [("organisation", OwnOnlyFilter)]
    search_fields = ["name", "name_sv", "name_en", "code"]
    fields = ["organisation", "name", "name_sv", "name_en", "code"]


@admin.register(Unit)
class UnitAdmin(OwnOrganisationOnly, ForgetFilterChoices, admin.ModelAdmin):
    organisation_path = "department__organisation_id"
    choice_paths = {"department": "organisation_id"}
    list_display = ["name", "department", "city", "district", "cost_centre", "is_active"]
    list_filter = [("department", OwnOnlyFilter), "is_active", "city"]
    search_fields = ["name", "name_sv", "name_en", "street_address", "postal_code", "cost_centre"]
    fields = [
        "department",
        "name",
        "name_sv",
        "name_en",
        "street_address",
        "postal_code",
        "city",
        "district",
        "phone",
        "cost_centre",
        "is_active",
    ]
    list_select_related = ["department"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "department" in form.changed_data:
            hooks.unit_moved(unit=obj)


@admin.register(User)
class UserAdmin(OwnOrganisationOnly, DjangoUserAdmin):
    organisation_path = "unit__department__organisation_id"
    choice_paths = {"unit": "department__organisation_id"}
    ordering = ["email"]
    list_display = ["email", "full_name", "unit", "is_active", "email_verified_at", "last_login"]
    list_filter = ["is_active", "groups", ("unit__department", OwnOnlyFilter), "is_staff"]
    search_fields = ["email", "full_name", "unit__name"]
    list_select_related = ["unit"]
    readonly_fields = ["last_login", "date_joined", "email_verified_at"]
    form = UserRolesForm
    add_form = UserAddForm
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "unit", "language"]}),
        (_("Access"), {"fields": ["is_active", "roles"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "email_verified_at"]}),
    ]
    superuser_fieldsets = [
        *fieldsets[:2],
        (_("Access"), {"fields": ["is_active", "roles", "is_superuser"]}),
        fieldsets[3],
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "unit", "password1", "password2"]}),
    ]

    # Coordinators (admin access without superuser) manage accounts up to their own level:
    # superusers are hidden from them, so neither the change form, the password form
    # (/password/, which looks the account up through get_queryset too) nor the actions
    # reach one; the fieldsets leave out the staff and superuser flags, groups and
    # permissions, and roles go through services.user_set_roles, which checks again.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def _may_manage(self, request, obj):
        return obj is None or request.user.is_superuser or not obj.is_superuser

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "is_active" in form.changed_data:
            # Through the service, as the actions: switching off ends the sessions.
            services.user_set_active(
                actor=request.user, user=form.instance, active=form.instance.is_active
            )
        if "roles" in form.cleaned_data:
            services.user_set_roles(
                actor=request.user, user=form.instance, roles=form.cleaned_data["roles"]
            )

    @admin.action(description=_("Activate selected users"), permissions=["change"])
    def activate(self, request, queryset):
        for user in queryset:
            try:
                services.user_set_active(actor=request.user, user=user, active=True)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
        self.message_user(request, _("Users activated."), messages.SUCCESS)

    @admin.action(description=_("Deactivate selected users"), permissions=["change"])
    def deactivate(self, request, queryset):
        for user in queryset:
            try:
                services.user_set_active(actor=request.user, user=user, active=False)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
        self.message_user(request, _("Users deactivated."), messages.SUCCESS)
