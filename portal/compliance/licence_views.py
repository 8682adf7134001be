"""The partner's export licences, trader authorisations and after-sales outlets (what export licence rules read)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.roles import has_role, role_required
from tenants.choices import Role

from . import selectors
from .forms import AfterSalesOutletForm, ExportAuthorisationForm, ExportLicenceForm
from .services import licences as licence_services

FORMS = {
    "licence": (ExportLicenceForm, licence_services.export_licence_create),
    "authorisation": (ExportAuthorisationForm, licence_services.export_authorisation_create),
    "outlet": (AfterSalesOutletForm, licence_services.after_sales_outlet_create),
}


@require_http_methods(["GET", "POST"])
def export_records_view(request):
    """Lists the three, with a form to add each (members and above); a POST names which one it adds."""
    kind = request.POST.get("kind") if request.method == "POST" else None
    if kind is not None and not has_role(request, Role.MEMBER):
        raise Http404
    forms = {name: form_class(prefix=name) for name, (form_class, _create) in FORMS.items()}
    if kind in FORMS:
        form_class, create = FORMS[kind]
        form = forms[kind] = form_class(request.POST, prefix=kind)
        if form.is_valid():
            try:
                create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved. Check open shipments again to apply it."))
                return redirect("compliance:export_records")
    return render(
        request,
        "compliance/export_records.html",
        {
            **selectors.export_records(),
            "forms": forms,
            "can_edit": has_role(request, Role.MEMBER),
            "active": "licences",
        },
    )


@require_POST
@role_required(Role.MEMBER)
def export_record_delete(request, kind: str, pk: int):
    """Remove one of them."""
    licence_services.export_record_delete(kind=kind, pk=pk, user=request.user)
    messages.success(request, _("Removed."))
    return redirect("compliance:export_records")
