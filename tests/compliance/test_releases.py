"""Releasing shipments (issue 13, blockers 1, 2 and 6): who may act and who is named when one cannot, the released
state everywhere (list, detail, API, statistics), one confirmation, four-eyes on a restricted-party hit at or
above the block score, and the links between verdict lines, certificates and shipments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.compliance.choices import ReleaseRequestStatus, Verdict
from portal.compliance.models import ReleaseRequest, Shipment, ShipmentOverride
from portal.compliance.services.checks import shipment_check
from portal.compliance.services.releases import (
    release_request_approve,
    release_request_decline,
    shipment_release,
    shipment_ship,
)
from portal.inbox.models import Notice
from portal.insights.choices import RunKind
from portal.insights.pipeline import run_inline
from tenants.choices import Role
from tenants.models import Membership

from ..conftest import client_for
from ..insights.factories import facts
from ..queries import assert_same_queries, query_budget
from .factories import certificate_make, days, eu_l3e_model, party_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db
REASON = "Same name, different company: trade licence and owners checked against the register."


def _officer(world, role):
    person = world.person(world.alpha, role)
    Membership.objects.filter(user=person, partner=world.alpha).update(is_compliance_officer=True)
    return person, Membership.objects.get(user=person, partner=world.alpha)


def _screened(world):
    """Blocked by a restricted-party hit at or above the block score (needs two officers)."""
    model = eu_l3e_model(world.alpha)
    party_make("Kestrel Star General Trading LLC", country="HU")
    shipment = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Kestrel Star General Trading"
    )
    assert shipment.verdict == Verdict.BLOCKED
    return shipment


def _uncertified(world, count=1):
    """Blocked by missing certificates only (one officer releases it)."""
    model = eu_l3e_model(world.alpha, certified=False)
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, count))
    assert shipment.verdict == Verdict.BLOCKED
    return shipment


# --- 1. who may act, and who is named when one cannot ---------------------------------------------------------


def test_a_non_officer_sees_who_can_release_and_no_control(world):
    shipment = _uncertified(world)
    _officer(world, Role.MANAGER)
    manager = world.person(world.alpha, Role.MANAGER)
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    page = owner.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-testid="who-can-act"' in page and manager.email in page
    assert 'data-testid="release-submit"' not in page
    assert owner.post(f"/compliance/shipments/{shipment.pk}/release/", {"reason": REASON}).status_code == 403
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert manager.email in viewer.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    with schema_context(world.alpha.schema_name):
        assert not ShipmentOverride.objects.exists()


def test_with_no_officer_the_page_says_how_to_get_one(world):
    shipment = _uncertified(world)
    page = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get(f"/compliance/shipments/{shipment.pk}/")
    assert 'data-testid="no-officer"' in page.content.decode()


# --- 2. the released state shows everywhere -------------------------------------------------------------------


def test_a_released_shipment_reads_released_in_the_list_the_detail_and_the_api(world):
    shipment = _uncertified(world)
    person, officer = _officer(world, Role.MEMBER)
    client = client_for(world.alpha, person)
    before = client.get("/compliance/").content.decode()
    assert 'data-verdict="blocked"' in before and 'data-verdict="released"' not in before
    with schema_context(world.alpha.schema_name):
        shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)
    listed = client.get("/compliance/").content.decode()
    assert 'data-verdict="released"' in listed and 'data-verdict="blocked"' not in listed
    waiting = client.get("/compliance/", {"verdict": "blocked", "released": "no"}).content.decode()
    assert shipment.reference not in waiting, "a released shipment does not wait for anyone"
    assert shipment.reference in client.get("/compliance/", {"released": "yes"}).content.decode()
    assert client.get("/api/v1/shipments/", {"released": "no"}).json()["count"] == 0
    detail = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-verdict="released"' in detail and "Released:" in detail and "Blocked:" not in detail
    api = client.get("/api/v1/shipments/").json()["results"][0]
    assert api["released"] is True and api["verdict"] == "blocked"
    assert api["release"]["officer"] == person.email and api["release"]["reason"] == REASON
    assert api["release"]["released_at"] and api["release"]["approved_by"] is None
    assert client.get(f"/api/v1/shipments/{shipment.pk}/").json()["release"]["officer"] == person.email


def test_a_new_reason_ends_the_release_everywhere(world):
    shipment = _uncertified(world)
    person, officer = _officer(world, Role.MEMBER)
    with schema_context(world.alpha.schema_name):
        shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)
        assert reload(world.alpha, shipment).released
        Shipment.objects.filter(pk=shipment.pk).update(consignee_country="KP")  # a new reason: an embargo
    from portal.reference.models import Embargo

    Embargo.objects.create(country="KP", severity="full", effective_from=days(-400), source_reference="test")
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=reload(world.alpha, shipment))
        assert not reload(world.alpha, shipment).released
    assert client_for(world.alpha, person).get(f"/api/v1/shipments/{shipment.pk}/").json()["released"] is False


def test_statistics_count_a_released_shipment_as_released_not_blocked(world):
    shipment = _uncertified(world)
    person, officer = _officer(world, Role.MEMBER)
    run_inline(kind=RunKind.FULL)
    with schema_context(world.alpha.schema_name):
        month = reload(world.alpha, shipment).latest_check.checked_at.date().replace(day=1)
    key = ("shipments_blocked", month, "", "", world.alpha.pk)
    assert facts(partner=world.alpha)[key] == 1
    with schema_context(world.alpha.schema_name):
        shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)
    run_inline()  # incremental: the release marked its check's month
    counted = facts(partner=world.alpha)
    assert key not in counted
    assert counted[("shipments_released", month, "", "", world.alpha.pk)] == 1
    assert not any(code == "block_reasons" for code, *_rest in counted)


def test_the_shipment_list_with_releases_keeps_its_query_budget(world):
    person, officer = _officer(world, Role.MEMBER)
    client = client_for(world.alpha, person)

    def add(count):
        for _ in range(count):
            shipment = _uncertified(world)
            with schema_context(world.alpha.schema_name):
                shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)

    add(1)
    client.get("/compliance/")
    with query_budget(12) as few:
        assert client.get("/compliance/").status_code == 200
    add(3)
    with query_budget(12) as many:
        assert client.get("/compliance/").status_code == 200
    assert_same_queries(few, many, "shipment list with releases")


# --- 6. one confirmation, four-eyes, audited -------------------------------------------------------------------


def test_a_too_short_reason_is_asked_again_and_nothing_is_written(world):
    shipment = _uncertified(world)
    person, _m = _officer(world, Role.MEMBER)
    page = client_for(world.alpha, person).post(
        f"/compliance/shipments/{shipment.pk}/release/", {"reason": "ok", "confirmed": "yes"}
    )
    assert page.status_code == 200 and "at least 20 characters" in page.content.decode()
    with schema_context(world.alpha.schema_name):
        assert not ShipmentOverride.objects.exists() and not reload(world.alpha, shipment).released


def test_a_screening_hit_needs_a_second_different_officer(world):
    shipment = _screened(world)
    first, first_membership = _officer(world, Role.MANAGER)
    second, second_membership = _officer(world, Role.MEMBER)
    with schema_context(world.alpha.schema_name):
        request = shipment_release(shipment=shipment, membership=first_membership, user=first, reason=REASON)
        assert isinstance(request, ReleaseRequest) and request.status == ReleaseRequestStatus.PENDING
        assert not reload(world.alpha, shipment).released and not ShipmentOverride.objects.exists()
        with pytest.raises(ValidationError):  # one waiting request at a time
            shipment_release(shipment=shipment, membership=second_membership, user=second, reason=REASON)
        with pytest.raises(PermissionDenied):
            release_request_approve(release_request=request, membership=first_membership, user=first)
        assert not ShipmentOverride.objects.exists(), "the requester cannot approve their own request"
        told = Notice.objects.get(user=second)  # the second officer learns that a release waits
        assert told.params["after_label"] == "Waiting for a second officer" and not Notice.objects.filter(user=first)
        override = release_request_approve(release_request=request, membership=second_membership, user=second)
        assert Notice.objects.filter(user=first, params__after_label="Released").exists()
        assert (override.officer, override.approved_by) == (first, second)
        assert reload(world.alpha, shipment).released
        request.refresh_from_db()
        assert request.status == ReleaseRequestStatus.APPROVED and request.override == override
        shipment_ship(shipment=shipment, user=second)  # the carried release lets it go
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor"))
    assert (AuditAction.COMPLIANCE_RELEASE_REQUESTED, first.pk) in actions
    assert (AuditAction.COMPLIANCE_RELEASE_APPROVED, second.pk) in actions
    assert (AuditAction.COMPLIANCE_OVERRIDE, second.pk) in actions


def test_a_declined_request_releases_nothing_and_is_audited(world):
    shipment = _screened(world)
    first, first_membership = _officer(world, Role.MANAGER)
    second, second_membership = _officer(world, Role.MEMBER)
    plain = Membership.objects.get(user=world.person(world.alpha, Role.OWNER), partner=world.alpha)
    with schema_context(world.alpha.schema_name):
        request = shipment_release(shipment=shipment, membership=first_membership, user=first, reason=REASON)
        with pytest.raises(PermissionDenied):
            release_request_decline(release_request=request, membership=plain, user=plain.user, note="no")
        declined = release_request_decline(
            release_request=request, membership=second_membership, user=second, note="Ask for the licence."
        )
        assert declined.status == ReleaseRequestStatus.DECLINED and not reload(world.alpha, shipment).released
        with pytest.raises(ValidationError):
            release_request_approve(release_request=request, membership=second_membership, user=second)
        assert not ShipmentOverride.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.COMPLIANCE_RELEASE_DECLINED)
    assert event.actor == second and event.details["note"] == "Ask for the licence."


def test_four_eyes_on_the_pages_with_one_confirmation_each(world):
    shipment = _screened(world)
    first, _m = _officer(world, Role.MANAGER)
    second, _m = _officer(world, Role.MEMBER)
    one, two = client_for(world.alpha, first), client_for(world.alpha, second)
    base = f"/compliance/shipments/{shipment.pk}"
    assert 'data-testid="four-eyes"' in one.get(f"{base}/").content.decode()
    asked = one.post(f"{base}/release/", {"reason": REASON})
    assert asked.status_code == 200 and 'data-testid="four-eyes"' in asked.content.decode()
    with schema_context(world.alpha.schema_name):
        assert not ReleaseRequest.objects.exists(), "nothing before the confirmation"
    assert one.post(f"{base}/release/", {"reason": REASON, "confirmed": "yes"}).status_code == 302
    with schema_context(world.alpha.schema_name):
        request = ReleaseRequest.objects.get()
    own = one.get(f"{base}/").content.decode()
    assert 'data-testid="approve"' not in own and second.email in own, "the requester is told who can approve"
    refused = one.post(f"{base}/release-requests/{request.pk}/approve/", {"confirmed": "yes"})
    assert refused.status_code == 403
    assert 'data-testid="approve"' in two.get(f"{base}/").content.decode()
    confirm = two.post(f"{base}/release-requests/{request.pk}/approve/")
    assert confirm.status_code == 200 and 'data-testid="approve-confirm"' in confirm.content.decode()
    with schema_context(world.alpha.schema_name):
        assert not reload(world.alpha, shipment).released, "nothing before the confirmation"
    assert two.post(f"{base}/release-requests/{request.pk}/approve/", {"confirmed": "yes"}).status_code == 302
    with schema_context(world.alpha.schema_name):
        assert reload(world.alpha, shipment).released
    assert 'data-verdict="released"' in two.get("/compliance/").content.decode()


def test_four_eyes_through_the_api(world):
    shipment = _screened(world)
    first, _m = _officer(world, Role.MANAGER)
    second, _m = _officer(world, Role.MEMBER)
    one, two = client_for(world.alpha, first), client_for(world.alpha, second)
    requested = one.post(
        f"/api/v1/shipments/{shipment.pk}/override/", {"reason": REASON}, content_type="application/json"
    )
    assert requested.status_code == 202 and requested.json()["status"] == "pending"
    pk = requested.json()["id"]
    assert two.get(f"/api/v1/shipments/{shipment.pk}/").json()["release_request"]["id"] == pk
    approve = f"/api/v1/shipments/{shipment.pk}/release-requests/{pk}/approve/"
    assert one.post(approve, content_type="application/json").status_code == 403
    approved = two.post(approve, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["approved_by_email"] == second.email
    detail = two.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert detail["released"] and detail["release"]["approved_by"] == second.email
    assert detail["release_request"] is None


def test_a_single_officer_release_through_the_api_is_immediate(world):
    shipment = _uncertified(world)
    person, _m = _officer(world, Role.MEMBER)
    client = client_for(world.alpha, person)
    released = client.post(
        f"/api/v1/shipments/{shipment.pk}/override/", {"reason": REASON}, content_type="application/json"
    )
    assert released.status_code == 201 and released.json()["officer_email"] == person.email
    again = client.post(
        f"/api/v1/shipments/{shipment.pk}/override/", {"reason": REASON}, content_type="application/json"
    )
    assert again.status_code == 400, "already released"


def test_another_partner_cannot_decide_a_release_request(world):
    shipment = _screened(world)
    first, membership = _officer(world, Role.MANAGER)
    with schema_context(world.alpha.schema_name):
        request = shipment_release(shipment=shipment, membership=membership, user=first, reason=REASON)
    outsider = world.person(world.beta, Role.OWNER)
    Membership.objects.filter(user=outsider, partner=world.beta).update(is_compliance_officer=True)
    beta = client_for(world.beta, outsider)
    assert beta.post(f"/api/v1/shipments/{shipment.pk}/release-requests/{request.pk}/approve/").status_code == 404
    assert beta.post(f"/compliance/shipments/{shipment.pk}/release-requests/{request.pk}/approve/").status_code == 404
    with schema_context(world.alpha.schema_name):
        assert ReleaseRequest.objects.get().status == ReleaseRequestStatus.PENDING


# --- links: a verdict line → its certificate; a certificate → the shipments it affects ---------------------------


def test_a_verdict_line_links_its_certificate_and_the_certificate_lists_its_shipments(world):
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un38-3", [model])
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(900))
    expiring = certificate_make(world.alpha, "un-r136", [model], valid_to=days(10), number="R136-SOON")
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), expected_arrival=days(40))
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    detail = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert f'href="/compliance/certificates/{expiring.pk}/"' in detail and 'data-testid="reason-certificate"' in detail
    page = client.get(f"/compliance/certificates/{expiring.pk}/").content.decode()
    assert f'href="/compliance/shipments/{shipment.pk}/"' in page and shipment.reference in page
    assert f'href="/compliance/certificates/{expiring.pk}/"' in client.get("/compliance/certificates/").content.decode()


def test_the_certificate_page_keeps_its_query_budget(world):
    model = eu_l3e_model(world.alpha)
    certificate = certificate_make(world.alpha, "un-r155", [model], valid_to=days(300))
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    client.get(f"/compliance/certificates/{certificate.pk}/")
    with query_budget(12) as few:
        assert client.get(f"/compliance/certificates/{certificate.pk}/").status_code == 200
    for _ in range(3):
        shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    with query_budget(12) as many:
        assert client.get(f"/compliance/certificates/{certificate.pk}/").status_code == 200
    assert_same_queries(few, many, "certificate page")
