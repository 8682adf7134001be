"""Home pages: the alliance's front page, a partner's home, the secretariat's overview."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.shortcuts import render

from portal.collaboration.selectors import project_list_for_partner, project_stage_counts
from portal.core.lists import filtered_page
from portal.core.replicas import reads_may_lag
from portal.vehicles.importing.selectors import import_job_list
from portal.vehicles.selectors import vehicle_count_estimate
from tenants.filters import PartnerFilterSet
from tenants.selectors import membership_list_for_partner, membership_list_for_user, partner_list

from .worklist import worklist


@login_not_required
def public_home(request):
    """The alliance's front page; signed-in members see their workspaces."""
    memberships = membership_list_for_user(user=request.user) if request.user.is_authenticated else []
    return render(
        request,
        "home/public_home.html",
        {"memberships": memberships, "partner_count": partner_list().count()},
    )


@reads_may_lag
def partner_home(request):
    """A partner's home page: the worklist (what needs this person now), vehicles and projects at a glance, the team."""
    partner = request.tenant
    projects = project_list_for_partner(partner=partner, accepted_only=True)
    vehicle_count, vehicle_count_exact = vehicle_count_estimate()
    context = {
        "team": membership_list_for_partner(partner=partner),
        "worklist": worklist(partner=partner, membership=request.membership),
        "stages": [column for column in project_stage_counts(projects=projects) if column["count"]],
        "vehicle_count": vehicle_count,
        "vehicle_count_exact": vehicle_count_exact,
        "imports": import_job_list()[:5],
    }
    return render(request, "home/partner_home.html", context)


@staff_member_required
def staff_home(request):
    """The secretariat's overview of member partners."""
    partners = partner_list(include_inactive=True).annotate(people=Count("memberships"))
    listing = filtered_page(request, PartnerFilterSet, partners, order_by=("name",), counted=True)
    return render(request, "home/staff_home.html", {"filterset": listing.filterset, "page": listing.page})
