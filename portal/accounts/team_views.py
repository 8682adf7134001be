"""The team page of a partner: everyone sees who is in it; owners invite, change roles, name compliance officers
and remove people. Writes go through tenants.services (audited by portal.audit.signals)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.caller import request_person
from portal.core.forms import apply_errors
from portal.core.roles import has_role, role_check, role_required
from tenants.choices import Role
from tenants.selectors import invitation_list_pending, membership_list_for_partner, user_has_account
from tenants.services import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    membership_compliance_officer_set,
    membership_remove,
    membership_role_set,
)

from .forms import InvitationForm, JoinForm, OfficerForm, RoleForm


def team(request):
    """Who is in the team and with which role; owners also see and manage pending invitations."""
    is_owner = has_role(request, Role.OWNER)
    form = InvitationForm(request.POST or None) if is_owner else None
    if request.method == "POST":
        role_check(request, Role.OWNER)
        if form.is_valid():
            try:
                invitation = invitation_create(
                    partner=request.tenant, invited_by=request_person(request), **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("team:team")
    context = {
        "team": membership_list_for_partner(partner=request.tenant),
        "invitations": invitation_list_pending(partner=request.tenant) if is_owner else [],
        "form": form,
        "is_owner": is_owner,
        "roles": Role.choices,
    }
    return render(request, "accounts/team.html", context)


def _membership(request, pk: int):
    return get_object_or_404(membership_list_for_partner(partner=request.tenant), pk=pk)


def _done(request, action):
    """Run a service; its refusal (the last owner, say) is shown as an error on the team page."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("team:team")


@require_POST
@role_required(Role.OWNER)
def role_change(request, pk: int):
    """Give a member another role (the partner keeps at least one owner)."""
    membership = _membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("team:team")

    def change():
        membership_role_set(membership=membership, role=form.cleaned_data["role"], actor=request_person(request))
        messages.success(
            request,
            _("%(person)s is now %(role)s.") % {"person": membership.user, "role": membership.get_role_display()},
        )

    return _done(request, change)


@require_POST
@role_required(Role.OWNER)
def officer_change(request, pk: int):
    """Name a member compliance officer, or no longer."""
    membership = _membership(request, pk)
    form = OfficerForm(request.POST)
    form.is_valid()
    value = form.cleaned_data.get("is_compliance_officer", False)
    membership_compliance_officer_set(membership=membership, value=value, actor=request_person(request))
    if value:
        messages.success(request, _("%(person)s is a compliance officer.") % {"person": membership.user})
    else:
        messages.success(request, _("%(person)s is no longer a compliance officer.") % {"person": membership.user})
    return redirect("team:team")


@require_POST
@role_required(Role.OWNER)
def member_remove(request, pk: int):
    """Take someone out of the team (never the last owner)."""
    membership = _membership(request, pk)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself: ask another owner."))
        return redirect("team:team")

    def remove():
        membership_remove(membership=membership, actor=request_person(request))
        messages.success(request, _("%(person)s was removed from the team.") % {"person": membership.user})

    return _done(request, remove)


@require_POST
@role_required(Role.OWNER)
def invitation_withdraw(request, pk: int):
    """Withdraw a pending invitation: its link stops working."""
    invitation = get_object_or_404(invitation_list_pending(partner=request.tenant), pk=pk)

    def revoke():
        invitation_revoke(invitation=invitation, actor=request_person(request))
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})

    return _done(request, revoke)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request, token: str):
    """Accept an invitation: a signed-in person accepts; a new person sets name and password first."""
    try:
        invitation = invitation_from_token(token=token, partner=request.tenant)
    except ValidationError as error:
        return render(request, "accounts/join.html", {"problem": " ".join(error.messages)}, status=400)
    user = request.user if request.user.is_authenticated else None
    wrong_person = user is not None and user.email.lower() != invitation.email.lower()
    needs_sign_in = user is None and user_has_account(email=invitation.email)
    form = JoinForm(request.POST or None) if user is None and not needs_sign_in else None
    if request.method == "POST" and not wrong_person and not needs_sign_in and (form is None or form.is_valid()):
        fields = (
            {}
            if form is None
            else {"full_name": form.cleaned_data["full_name"], "password": form.cleaned_data["password1"]}
        )
        try:
            person = invitation_accept(invitation=invitation, user=user, **fields)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("home")
            if hasattr(error, "error_dict") and "password" in error.error_dict:
                error = ValidationError({"password1": error.error_dict.pop("password"), **error.error_dict})
            apply_errors(form, error)
        else:
            if user is None:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(partner)s.") % {"partner": invitation.partner.name})
            return redirect("home")
    context = {"invitation": invitation, "form": form, "wrong_person": wrong_person, "needs_sign_in": needs_sign_in}
    return render(request, "accounts/join.html", context)
