"""The Thailand EV 3.5 page: the partner's offset ledger, its subsidised imports and where its plants are."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.paging import Page, page_number
from portal.core.roles import has_role, role_required
from portal.reference.offsets import OffsetScheme
from tenants.choices import Role

from . import offsets
from .forms import PlantLocationForm, SubsidisedImportForm
from .models import PlantLocation
from .services import offsets as offset_services

SCHEME = "th-ev35"


def _scheme() -> OffsetScheme:
    return get_object_or_404(offsets.scheme_list(), code=SCHEME)


@require_http_methods(["GET", "POST"])
def offset_ledger_view(request):
    """The ledger (everyone in the partner); members add imports and plant locations (a POST names which)."""
    scheme = _scheme()
    kind = request.POST.get("kind") if request.method == "POST" else None
    if kind is not None and not has_role(request, Role.MEMBER):
        raise Http404
    import_form = SubsidisedImportForm(request.POST if kind == "import" else None, prefix="import")
    plant_form = PlantLocationForm(
        request.POST if kind == "plant" else None, prefix="plant", initial={"country": str(scheme.country)}
    )
    form = {"import": import_form, "plant": plant_form}.get(kind)
    if form is not None and form.is_valid():
        try:
            if kind == "import":
                offset_services.subsidised_import_create(scheme=scheme, user=request.user, **form.cleaned_data)
            else:
                offset_services.plant_location_set(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("compliance:offset_ledger")
    ledger = offsets.ledger_get(scheme=scheme, today=offsets.today())
    imports = Page(offsets.subsidised_import_list(scheme=scheme), page_number(request.GET.get("page")))
    return render(
        request,
        "compliance/offset_ledger.html",
        {
            "scheme": scheme,
            "ledger": ledger,
            "imports": imports,
            "plants": PlantLocation.objects.order_by("country", "plant"),
            "import_form": import_form,
            "plant_form": plant_form,
            "can_edit": has_role(request, Role.MEMBER),
            "active": "offsets",
        },
    )


@require_POST
@role_required(Role.MEMBER)
def offset_record_delete(request, kind: str, pk: int):
    """Remove a subsidised import or a plant location."""
    remove = {"import": offset_services.subsidised_import_delete, "plant": offset_services.plant_location_delete}
    remove[kind](pk=pk, user=request.user)
    messages.success(request, _("Removed."))
    return redirect("compliance:offset_ledger")
