"""False positives of screening (issue 14): an officer marks a hit "not the listed party" with a reason; the pair
(list entry, consignee) is not raised again until either changes; audited, revocable; web and API; isolated."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.compliance.choices import Verdict
from portal.compliance.models import ScreeningDismissal
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.services.dismissals import screening_dismissal_revoke, screening_hit_dismiss
from tenants.choices import Role
from tenants.models import Membership

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from .factories import eu_l3e_model, party_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db
REASON = "Same name, different company: registry number and owners checked, no link to the listed party."
CONSIGNEE = "Kestrel Star General Trading"


def _officer(world, partner, role=Role.MEMBER):
    person = world.person(partner, role)
    Membership.objects.filter(user=person, partner=partner).update(is_compliance_officer=True)
    return person, Membership.objects.get(user=person, partner=partner)


def _hit(world, partner, consignee=CONSIGNEE):
    """A shipment of the partner that only a screening hit holds back (needs review: the entry is elsewhere)."""
    model = eu_l3e_model(partner)
    shipment = shipment_make(partner, vehicles=vehicles_make(partner, model, 1), consignee_name=consignee)
    assert shipment.verdict == Verdict.NEEDS_REVIEW
    return shipment


def _codes(shipment):
    return [reason["code"] for reason in shipment.latest_check.reasons]


@pytest.fixture
def entry():
    return party_make("Kestrel Star General Trading LLC", country="AE")


def test_a_dismissed_hit_is_not_raised_again_until_the_entry_or_the_consignee_changes(world, entry):
    shipment = _hit(world, world.alpha)
    person, membership = _officer(world, world.alpha)
    with schema_context(world.alpha.schema_name):
        dismissal = screening_hit_dismiss(
            shipment=shipment, entry_id=entry.pk, reason=REASON, user=person, membership=membership
        )
        assert dismissal.entry_name == entry.name and dismissal.consignee_name == CONSIGNEE
    shipment = reload(world.alpha, shipment)
    assert shipment.verdict == Verdict.CLEARED and "screening_hit" not in _codes(shipment)
    # Another shipment to the same consignee: not raised either.
    assert "screening_hit" not in _codes(_hit_free(world, world.alpha))
    with schema_context(world.alpha.schema_name):  # the stored check reproduces, dismissal included
        assert check_reproduce(check=shipment.latest_check).verdict == Verdict.CLEARED
    # The entry changes (a new alias): raised again.
    entry.aliases = ["KST General Trading"]
    entry.save()
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=shipment)
    assert "screening_hit" in _codes(reload(world.alpha, shipment))


def _hit_free(world, partner):
    model = eu_l3e_model(partner)
    return shipment_make(partner, vehicles=vehicles_make(partner, model, 1), consignee_name=CONSIGNEE)


def test_another_consignee_is_still_raised(world, entry):
    shipment = _hit(world, world.alpha)
    person, membership = _officer(world, world.alpha)
    with schema_context(world.alpha.schema_name):
        screening_hit_dismiss(shipment=shipment, entry_id=entry.pk, reason=REASON, user=person, membership=membership)
    other = _hit(world, world.alpha, consignee="Kestrel Star General Trading Co.")  # the consignee is written otherwise
    assert "screening_hit" in _codes(other)


def test_revoking_raises_the_hit_again_and_both_are_audited(world, entry):
    shipment = _hit(world, world.alpha)
    person, membership = _officer(world, world.alpha)
    with schema_context(world.alpha.schema_name):
        dismissal = screening_hit_dismiss(
            shipment=shipment, entry_id=entry.pk, reason=REASON, user=person, membership=membership
        )
        screening_dismissal_revoke(dismissal=dismissal, user=person, membership=membership)
        with pytest.raises(ValidationError):
            screening_dismissal_revoke(dismissal=dismissal, user=person, membership=membership)
    assert "screening_hit" in _codes(reload(world.alpha, shipment))
    actions = set(AuditEvent.objects.filter(partner=world.alpha).values_list("action", flat=True))
    assert {AuditAction.COMPLIANCE_SCREENING_DISMISSED, AuditAction.COMPLIANCE_SCREENING_DISMISSAL_REVOKED} <= actions


def test_only_officers_with_a_reason_on_a_raised_hit(world, entry):
    shipment = _hit(world, world.alpha)
    manager = world.person(world.alpha, Role.MANAGER)
    plain = Membership.objects.get(user=manager, partner=world.alpha)
    person, membership = _officer(world, world.alpha)
    with schema_context(world.alpha.schema_name):
        with pytest.raises(PermissionDenied):
            screening_hit_dismiss(shipment=shipment, entry_id=entry.pk, reason=REASON, user=manager, membership=plain)
        with pytest.raises(ValidationError):
            screening_hit_dismiss(
                shipment=shipment, entry_id=entry.pk, reason="short", user=person, membership=membership
            )
        other = party_make("Unraised Marine Supplies Pte")
        with pytest.raises(ValidationError):
            screening_hit_dismiss(
                shipment=shipment, entry_id=other.pk, reason=REASON, user=person, membership=membership
            )
        assert not ScreeningDismissal.objects.exists()


def test_the_page_dismisses_and_revokes(world, entry):
    shipment = _hit(world, world.alpha)
    person, _membership = _officer(world, world.alpha, Role.MANAGER)
    client = client_for(world.alpha, person)
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert f'data-testid="dismiss-hit-{entry.pk}"' in page
    response = client.post(
        f"/compliance/shipments/{shipment.pk}/dismiss-hit/", {"entry_id": entry.pk, "reason": REASON}
    )
    assert response.status_code == 302
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-testid="dismissal-active"' in page and REASON in page
    with schema_context(world.alpha.schema_name):
        dismissal = ScreeningDismissal.objects.get()
    assert client.post(f"/compliance/screening-dismissals/{dismissal.pk}/revoke/").status_code == 302
    assert 'data-testid="dismissal-revoked"' in client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    # A member who is no officer sees no control and cannot post.
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert 'data-testid="dismiss-hit-' not in member.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    denied = member.post(f"/compliance/shipments/{shipment.pk}/dismiss-hit/", {"entry_id": entry.pk, "reason": REASON})
    assert denied.status_code == 403


def test_the_api_dismisses_lists_and_revokes(world, entry):
    shipment = _hit(world, world.alpha)
    person, _membership = _officer(world, world.alpha)
    client = client_for(world.alpha, person)
    body = {"shipment": shipment.pk, "entry_id": entry.pk, "reason": REASON}
    created = client.post("/api/v1/screening-dismissals/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["in_force"] is True
    assert client.post("/api/v1/screening-dismissals/", body, content_type="application/json").status_code == 400
    listed = client.get("/api/v1/screening-dismissals/").json()
    assert [item["id"] for item in listed["results"]] == [created.json()["id"]]
    revoked = client.post(f"/api/v1/screening-dismissals/{created.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False


def test_one_partners_dismissals_never_affect_another(world, entry):
    alpha_shipment = _hit(world, world.alpha)
    beta_shipment = _hit(world, world.beta)
    person, membership = _officer(world, world.alpha)
    with schema_context(world.alpha.schema_name):
        dismissal = screening_hit_dismiss(
            shipment=alpha_shipment, entry_id=entry.pk, reason=REASON, user=person, membership=membership
        )
    with schema_context(world.beta.schema_name):
        shipment_check(shipment=beta_shipment)
        assert not ScreeningDismissal.objects.exists()
    assert "screening_hit" in _codes(reload(world.beta, beta_shipment))
    beta_officer, _m = _officer(world, world.beta)
    beta = client_for(world.beta, beta_officer)
    assert beta.get("/api/v1/screening-dismissals/").json()["results"] == []
    assert beta.get(f"/api/v1/screening-dismissals/{dismissal.pk}/").status_code == 404
    assert beta.post(f"/api/v1/screening-dismissals/{dismissal.pk}/revoke/").status_code == 404
    assert beta.post(f"/compliance/screening-dismissals/{dismissal.pk}/revoke/").status_code == 404
    body = {"shipment": alpha_shipment.pk, "entry_id": entry.pk, "reason": REASON}
    assert beta.post("/api/v1/screening-dismissals/", body, content_type="application/json").status_code in (400, 404)
    with schema_context(world.alpha.schema_name):
        assert ScreeningDismissal.objects.get().revoked_at is None


def test_the_dismissal_list_and_the_shipment_page_keep_their_query_budget(world, entry):
    person, membership = _officer(world, world.alpha, Role.MANAGER)
    client = client_for(world.alpha, person)
    shipments = []

    def add(count):
        for number in range(count):
            shipment = _hit(world, world.alpha, consignee=f"{CONSIGNEE} {len(shipments) + number}")
            shipments.append(shipment)
            with schema_context(world.alpha.schema_name):
                screening_hit_dismiss(
                    shipment=shipment, entry_id=entry.pk, reason=REASON, user=person, membership=membership
                )

    add(1)
    page = f"/compliance/shipments/{shipments[0].pk}/"
    client.get("/api/v1/screening-dismissals/")
    with query_budget(12) as few:
        assert client.get("/api/v1/screening-dismissals/").status_code == 200
    with query_budget(40) as few_page:
        assert client.get(page).status_code == 200
    add(3)
    with query_budget(12) as many:
        assert client.get("/api/v1/screening-dismissals/").status_code == 200
    with query_budget(40) as many_page:
        assert client.get(page).status_code == 200
    assert_same_queries(few, many, "screening dismissals API list")
    assert_same_queries(few_page, many_page, "shipment page with dismissals")


def test_an_api_key_reads_dismissals_but_cannot_dismiss(world, entry):
    from portal.integrations.services import api_key_create

    shipment = _hit(world, world.alpha)
    _key, raw = api_key_create(partner=world.alpha, name="erp", scopes=["compliance:write"])
    client, auth = client_for(world.alpha), {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    body = {"shipment": shipment.pk, "entry_id": entry.pk, "reason": REASON}
    refused = client.post("/api/v1/screening-dismissals/", body, content_type="application/json", **auth)
    assert refused.status_code == 403
    assert client.get("/api/v1/screening-dismissals/", **auth).json()["results"] == []
    with schema_context(world.alpha.schema_name):
        assert not ScreeningDismissal.objects.exists()
    assert "screening_hit" in _codes(reload(world.alpha, shipment))
