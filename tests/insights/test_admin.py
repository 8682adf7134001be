"""Staff tune the statistics in the admin; every change is in the audit trail."""

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.insights.models import PolicyEvent, RiskRule

from ..conftest import client_for


def test_a_risk_rule_change_is_audited(world):
    rule = RiskRule.objects.get(kind="production_drop")
    staff = client_for(None, world.staff)
    data = {"kind": rule.kind, "threshold": "25", "enabled": "on", "help": rule.help}
    response = staff.post(f"/admin/insights/riskrule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.content[:500]
    rule.refresh_from_db()
    assert rule.threshold == 25
    event = AuditEvent.objects.get(action=AuditAction.STATISTICS_SETTING_CHANGED)
    assert (event.actor, event.partner, event.target_id) == (world.staff, None, str(rule.pk))
    assert event.details == {"table": "riskrule", "change": "changed", "fields": ["threshold"]}


def test_a_policy_date_added_and_deleted_is_audited(world):
    staff = client_for(None, world.staff)
    response = staff.post("/admin/insights/policyevent/add/", {"name": "EU tariff change", "date": "2025-10-30"})
    assert response.status_code == 302
    policy = PolicyEvent.objects.get(name="EU tariff change")
    assert staff.post(f"/admin/insights/policyevent/{policy.pk}/delete/", {"post": "yes"}).status_code == 302
    changes = list(
        AuditEvent.objects.filter(action=AuditAction.STATISTICS_SETTING_CHANGED).values_list(
            "details__change", flat=True
        )
    )
    assert sorted(changes) == ["added", "deleted"]


def test_partners_cannot_reach_the_statistics_admin(world):
    member = world.person(world.alpha, "owner")
    rule = RiskRule.objects.get(kind="production_drop")
    response = client_for(None, member).post(f"/admin/insights/riskrule/{rule.pk}/change/", {"threshold": "1"})
    assert response.status_code in (302, 403)
    rule.refresh_from_db()
    assert rule.threshold == 30
    assert not AuditEvent.objects.filter(action=AuditAction.STATISTICS_SETTING_CHANGED).exists()
