"""Forms of the team page and of accepting an invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import StyledForm
from tenants.choices import Role


class InvitationForm(StyledForm, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    is_compliance_officer = forms.BooleanField(
        label=_("Compliance officer"),
        required=False,
        help_text=_("May release a blocked or needs-review export shipment, with a written reason."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OfficerForm(forms.Form):
    is_compliance_officer = forms.BooleanField(required=False)


class JoinForm(StyledForm, forms.Form):
    """A new person's name and password, chosen when accepting an invitation."""

    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
