"""Admin for staff: partners with their domains and memberships, people. Actions call services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import Role
from .models import Domain, Invitation, Membership, Partner, User
from .selectors import membership_is_last_owner


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


def _last_owner_error(membership: Membership) -> forms.ValidationError:
    return forms.ValidationError(
        _("%(person)s is the last owner of %(partner)s: make someone else an owner first.")
        % {"person": membership.user, "partner": membership.partner},
        code="last_owner",
    )


class MembershipFormSet(forms.BaseInlineFormSet):
    """Memberships edited inline (on a partner or a person): no partner that has an owner is left without one."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        before: dict[int, set] = {}
        after: dict[int, set] = {}
        for form in self.forms:
            data = form.cleaned_data
            if not data or (form.instance.pk is None and not form.has_changed()):
                continue
            partner = self.instance if isinstance(self.instance, Partner) else data.get("partner")
            partner_id = partner.pk if partner is not None else form.instance.partner_id
            if partner_id not in before:
                owners = Membership.objects.filter(partner_id=partner_id, role=Role.OWNER).values_list("pk", flat=True)
                before[partner_id], after[partner_id] = set(owners), set(owners)
            key = form.instance.pk or id(form)
            if self._should_delete_form(form) or data.get("role") != Role.OWNER:
                after[partner_id].discard(key)
            else:
                after[partner_id].add(key)
        for partner_id, owners in after.items():
            if before[partner_id] and not owners:
                last = Membership.objects.select_related("user", "partner").get(pk=min(before[partner_id]))
                raise _last_owner_error(last)


class PartnerMembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
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


class MembershipForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        membership = self.instance
        if membership.pk is not None and data.get("role") != Role.OWNER:
            old = Membership.objects.select_related("user", "partner").get(pk=membership.pk)
            if membership_is_last_owner(old):
                raise _last_owner_error(old)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "partner", "role", "is_compliance_officer", "created_at"]
    list_filter = ["role", "is_compliance_officer", "partner"]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]

    def get_deleted_objects(self, objs, request):
        """A partner's last owner is shown as protected: the admin then refuses to delete it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [_last_owner_error(m).messages[0] for m in objs if membership_is_last_owner(m)]
        return deleted, counts, perms_needed, protected


class InvitationAddForm(forms.ModelForm):
    """Staff invite someone to a partner's team: the same service, e-mail and audit as the team page."""

    class Meta:
        model = Invitation
        fields = ["partner", "email", "role", "is_compliance_officer"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data["email"] = services.invitation_check(
                    partner=data["partner"], email=data["email"], role=data["role"]
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "role", "is_compliance_officer", "created_at", "expires_at", "state_label"]
    list_filter = ["role", "partner"]
    search_fields = ["email", "partner__name"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner"]
    readonly_fields = ["created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at", "invited_by"]
    actions = ["withdraw"]

    @admin.display(description=_("state"))
    def state_label(self, invitation):
        return invitation.state().label

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        fields = ["partner", "email", "role", "is_compliance_officer"]
        return fields if obj is None else fields + self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # sent invitations are only withdrawn

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the trail keeps every invitation

    def save_model(self, request, obj, form, change):
        obj.pk = services.invitation_create(invited_by=request.user, **form.cleaned_data).pk

    @admin.action(description=_("Withdraw the invitation"))
    def withdraw(self, request, queryset):
        count = 0
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            if invitation.expires_at > timezone.now():
                services.invitation_revoke(invitation=invitation, actor=request.user)
                count += 1
        self.message_user(request, _("%(count)d invitation(s) withdrawn.") % {"count": count}, messages.SUCCESS)


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
