from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import hooks, services
from .identity import email_key
from .models import Department, Unit, User
from .roles import COORDINATOR, ROLE_LABELS, ROLES, STAFF


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


class ForgetFilterChoices:
    """The catalogue caches departments and units for its filters: refresh them on save."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        hooks.organisation_changed()


@admin.register(Department)
class DepartmentAdmin(ForgetFilterChoices, admin.ModelAdmin):
    list_display = ["name", "name_sv", "name_en", "code"]
    search_fields = ["name", "name_sv", "name_en", "code"]
    fields = ["name", "name_sv", "name_en", "code"]


@admin.register(Unit)
class UnitAdmin(ForgetFilterChoices, admin.ModelAdmin):
    list_display = ["name", "department", "city", "district", "cost_centre", "is_active"]
    list_filter = ["department", "is_active", "city"]
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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "unit", "is_active", "email_verified_at", "last_login"]
    list_filter = ["is_active", "groups", "unit__department", "is_staff"]
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
