"""Admin for staff: partners with their domains and memberships, people. Actions call services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Domain, Membership, Partner, User


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class PartnerMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["partner"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class PartnerAddForm(forms.ModelForm):
    """Adding a partner provisions it: schema, subdomain and the owner's invitation."""

    slug = forms.SlugField(label=_("subdomain"), help_text=_("Lowercase letters, digits and hyphens."))
    owner_email = forms.EmailField(label=_("owner's e-mail"), required=False)

    class Meta:
        model = Partner
        fields = ["name", "kind", "country", "city", "tier"]

    def clean_slug(self):
        try:
            return services.partner_slug_validate(self.cleaned_data["slug"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "country", "city", "tier", "member_since", "is_active"]
    list_filter = ["kind", "tier", "is_active", "country"]
    search_fields = ["name", "schema_name", "city"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline, PartnerMembershipInline]
    actions = ["deactivate", "reactivate"]

    def get_queryset(self, request):
        return super().get_queryset(request).members()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PartnerAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "slug", "kind", "country", "city", "tier", "owner_email"]
        return super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        provisioned = services.partner_provision(
            name=data["name"],
            slug=data["slug"],
            kind=data["kind"],
            country=data["country"],
            city=data.get("city", ""),
            tier=data["tier"],
            owner_email=data.get("owner_email") or None,
        )
        obj.pk = provisioned.partner.pk
        obj.schema_name = provisioned.partner.schema_name

    @admin.action(description=_("Deactivate: shut subdomain and API keys, keep data"))
    def deactivate(self, request, queryset):
        for partner in queryset:
            services.partner_deactivate(partner=partner)
        self.message_user(request, _("%(count)d partner(s) deactivated.") % {"count": queryset.count()})

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        for partner in queryset:
            services.partner_reactivate(partner=partner)
        self.message_user(
            request, _("%(count)d partner(s) reactivated.") % {"count": queryset.count()}, messages.SUCCESS
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "is_compliance_officer", "created_at"]
    list_filter = ["role", "is_compliance_officer", "partner"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [UserMembershipInline]
    add_form = UserCreationForm
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "usable_password", "password1", "password2"]})
    ]
