"""The team page: owners invite (signed, expiring links for new and existing people), change roles, name compliance
officers and remove people, never the last owner; everyone else reads; another partner's owner changes nothing."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from tenants import services
from tenants.choices import Role, TeamEvent
from tenants.models import Invitation, Membership, User
from tenants.signals import team_changed

from ..conftest import client_for
from ..factories import UserFactory
from ..queries import assert_same_queries, query_budget

TEAM = "/team/"
NEW_PASSWORD = "Tram lines hum at 5 am"


def _owner(world, partner=None):
    return world.person(partner or world.alpha, Role.OWNER)


def _link(message) -> str:
    return re.search(r"https?://\S+/team/join/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return link.split(".localhost:8000", 1)[1] if ".localhost:8000" in link else link.split("localhost", 1)[1]


def _invite(client, email, role=Role.MEMBER, **extra):
    return client.post(TEAM, {"email": email, "role": role, **extra})


def _events_since(mark: int, partner):
    return AuditEvent.objects.filter(partner=partner, pk__gt=mark).order_by("id")


def _mark() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _membership(world, partner, role) -> Membership:
    return Membership.objects.get(partner=partner, user=world.person(partner, role))


def test_a_new_person_joins_through_the_e_mailed_link(world, django_capture_on_commit_callbacks):
    mark = _mark()
    owner = client_for(world.alpha, _owner(world))
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(owner, "New.Person@Example.com", Role.MANAGER, is_compliance_officer="on")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new.person@example.com"] and "Alpha Motors" in message.subject
    link = _link(message)
    assert link.startswith("http://alpha.localhost")
    assert b"new.person@example.com" in owner.get(TEAM).content, "listed as pending"
    visitor = client_for(world.alpha)
    page = visitor.get(_path(link))
    assert page.status_code == 200 and b'name="password1"' in page.content
    short = visitor.post(_path(link), {"full_name": "Nina New", "password1": "short", "password2": "short"})
    assert short.status_code == 200 and not User.objects.filter(email="new.person@example.com").exists()
    joined = visitor.post(_path(link), {"full_name": "Nina New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert joined.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert person.full_name == "Nina New" and person.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=person, partner=world.alpha)
    assert (membership.role, membership.is_compliance_officer) == (Role.MANAGER, True)
    assert visitor.get("/").status_code == 200, "signed in on joining"
    actions = list(_events_since(mark, world.alpha).values_list("action", flat=True))
    assert actions[:1] == [AuditAction.INVITATION_SENT]
    assert {AuditAction.MEMBERSHIP_ADDED, AuditAction.INVITATION_ACCEPTED} <= set(actions)
    again = client_for(world.alpha).get(_path(link))
    assert again.status_code == 400 and b"already been accepted" in again.content


def test_someone_with_an_account_signs_in_and_accepts(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(partner=world.alpha, email="outsider@example.com", role=Role.VIEWER)
    path = _path(_link(mail.outbox[0]))
    assert "Sign in with your account" in mail.outbox[0].body
    anonymous = client_for(world.alpha).get(path)
    assert b"Sign in to accept" in anonymous.content and b"password1" not in anonymous.content
    assert client_for(world.alpha).post(path, {"full_name": "Taken", "password1": NEW_PASSWORD}).status_code == 200
    assert world.outsider.check_password("correct-horse-battery-staple"), "nobody resets an account's password"
    signed_in = client_for(world.alpha, world.outsider)
    assert b"Accept the invitation" in signed_in.get(path).content
    assert signed_in.post(path).status_code == 302
    assert Membership.objects.get(user=world.outsider, partner=world.alpha).role == Role.VIEWER
    assert signed_in.get("/").status_code == 200


def test_the_invitation_is_for_the_person_it_names(world):
    invitation = services.invitation_create(partner=world.alpha, email="someone.else@example.com", role=Role.OWNER)
    path = f"/team/join/{services.invitation_token(invitation)}/"
    intruder = client_for(world.alpha, world.outsider)
    assert b"signed in as someone else" in intruder.get(path).content
    intruder.post(path)
    assert not Membership.objects.filter(user=world.outsider, partner=world.alpha).exists()
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=world.outsider)


def test_an_expired_link_is_refused(world):
    sent = timezone.now() - services.INVITATION_VALID_FOR - datetime.timedelta(minutes=1)
    invitation = services.invitation_create(partner=world.alpha, email="late@example.com", role=Role.MEMBER, now=sent)
    path = f"/team/join/{services.invitation_token(invitation)}/"
    page = client_for(world.alpha).get(path)
    assert page.status_code == 400 and b"expired" in page.content
    posted = client_for(world.alpha).post(
        path, {"full_name": "L", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert posted.status_code == 400 and not User.objects.filter(email="late@example.com").exists()
    # A minute before the end it still works: the limit is the invitation's, not the test machine's clock.
    fresh = services.invitation_create(partner=world.alpha, email="later@example.com", role=Role.MEMBER, now=sent)
    services.invitation_accept(
        invitation=fresh, full_name="L", password=NEW_PASSWORD, now=fresh.expires_at - datetime.timedelta(minutes=1)
    )


def test_withdrawn_forged_and_foreign_links_are_refused(world):
    owner = client_for(world.alpha, _owner(world))
    invitation = services.invitation_create(partner=world.alpha, email="withdrawn@example.com", role=Role.MEMBER)
    token = services.invitation_token(invitation)
    assert owner.post(f"/team/invitations/{invitation.pk}/withdraw/").status_code == 302
    assert b"withdrawn" in client_for(world.alpha).get(f"/team/join/{token}/").content
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED, actor=_owner(world)).exists()
    other = services.invitation_create(partner=world.alpha, email="forged@example.com", role=Role.MEMBER)
    good = services.invitation_token(other)
    assert client_for(world.alpha).get(f"/team/join/{good[:-3]}abc/").status_code == 400
    assert client_for(world.beta).get(f"/team/join/{good}/").status_code == 400, "alpha's link on beta's host"
    assert client_for(world.alpha).get(f"/team/join/{good}/").status_code == 200


def test_inviting_twice_or_a_member_is_explained(world):
    owner = client_for(world.alpha, _owner(world))
    _invite(owner, "twice@example.com")
    again = _invite(owner, "twice@example.com")
    assert again.status_code == 200 and b"already invited" in again.content
    member = _invite(owner, "member@alpha.example.com")
    assert b"already in the team" in member.content
    assert Invitation.objects.filter(email="twice@example.com").count() == 1


def test_the_last_owner_is_never_removed_or_demoted(world):
    owner = _owner(world)
    client = client_for(world.alpha, owner)
    own = _membership(world, world.alpha, Role.OWNER)
    demoted = client.post(f"/team/{own.pk}/role/", {"role": Role.MANAGER}, follow=True)
    assert b"last owner" in demoted.content
    own.refresh_from_db()
    assert own.role == Role.OWNER
    with pytest.raises(ValidationError) as refused:
        services.membership_remove(membership=own)
    assert refused.value.code == "last_owner"
    assert Membership.objects.filter(pk=own.pk).exists()
    # With a second owner, the first may step down.
    manager = _membership(world, world.alpha, Role.MANAGER)
    services.membership_role_set(membership=manager, role=Role.OWNER)
    assert client.post(f"/team/{own.pk}/role/", {"role": Role.MANAGER}).status_code == 302
    own.refresh_from_db()
    assert own.role == Role.MANAGER


def test_role_changes_officers_and_removals_are_audited_with_who_did_it(world):
    mark = _mark()
    owner = _owner(world)
    client = client_for(world.alpha, owner)
    member = _membership(world, world.alpha, Role.MEMBER)
    client.post(f"/team/{member.pk}/role/", {"role": Role.MANAGER})
    client.post(f"/team/{member.pk}/officer/", {"is_compliance_officer": "on"})
    member.refresh_from_db()
    assert (member.role, member.is_compliance_officer) == (Role.MANAGER, True)
    viewer = _membership(world, world.alpha, Role.VIEWER)
    client.post(f"/team/{viewer.pk}/remove/")
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert User.objects.filter(pk=viewer.user_id).exists(), "the account stays"
    recorded = [(e.action, e.actor, e.details) for e in _events_since(mark, world.alpha)]
    email = member.user.email
    assert recorded == [
        (AuditAction.ROLE_CHANGED, owner, {"email": email, "from": "member", "to": "manager"}),
        (AuditAction.COMPLIANCE_OFFICER_CHANGED, owner, {"email": email, "officer": True}),
        (AuditAction.MEMBERSHIP_REMOVED, owner, {"email": viewer.user.email, "role": "viewer"}),
    ]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER, Role.VIEWER])
def test_everyone_else_reads_the_team_and_changes_nothing(world, role):
    client = client_for(world.alpha, world.person(world.alpha, role))
    page = client.get(TEAM)
    assert page.status_code == 200 and b"owner@alpha.example.com" in page.content
    assert b"/role/" not in page.content and b"Send the invitation" not in page.content
    member = _membership(world, world.alpha, Role.MEMBER)
    assert _invite(client, "sneaky@example.com").status_code == 403
    assert client.post(f"/team/{member.pk}/role/", {"role": Role.OWNER}).status_code == 403
    assert client.post(f"/team/{member.pk}/officer/", {"is_compliance_officer": "on"}).status_code == 403
    assert client.post(f"/team/{member.pk}/remove/").status_code == 403
    member.refresh_from_db()
    assert (member.role, member.is_compliance_officer) == (Role.MEMBER, False)
    assert not Invitation.objects.filter(email="sneaky@example.com").exists()


def test_an_owner_of_alpha_cannot_touch_betas_team(world):
    alpha_owner = client_for(world.alpha, _owner(world))
    beta_member = _membership(world, world.beta, Role.MEMBER)
    beta_invitation = services.invitation_create(partner=world.beta, email="beta.invitee@example.com", role=Role.MEMBER)
    for path, data in [
        (f"/team/{beta_member.pk}/role/", {"role": Role.OWNER}),
        (f"/team/{beta_member.pk}/officer/", {"is_compliance_officer": "on"}),
        (f"/team/{beta_member.pk}/remove/", {}),
        (f"/team/invitations/{beta_invitation.pk}/withdraw/", {}),
    ]:
        assert alpha_owner.post(path, data).status_code == 404, path
    on_betas_host = client_for(world.beta, _owner(world))
    assert on_betas_host.get(TEAM).status_code == 403
    assert _invite(on_betas_host, "planted@example.com").status_code == 403
    beta_member.refresh_from_db()
    beta_invitation.refresh_from_db()
    assert (beta_member.role, beta_member.is_compliance_officer) == (Role.MEMBER, False)
    assert beta_invitation.revoked_at is None
    assert not Invitation.objects.filter(email="planted@example.com").exists()
    assert b"beta.invitee@example.com" not in alpha_owner.get(TEAM).content


def test_team_changes_tell_other_apps_after_commit(world, django_capture_on_commit_callbacks):
    heard = []

    def receiver(sender, **kwargs):
        heard.append((kwargs["event"], kwargs["email"], kwargs["partner"]))

    team_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_create(partner=world.alpha, email="hook@example.com", role=Role.MEMBER)
            services.membership_role_set(membership=_membership(world, world.alpha, Role.VIEWER), role=Role.MEMBER)
    finally:
        team_changed.disconnect(receiver)
    assert heard == [
        (TeamEvent.INVITED, "hook@example.com", world.alpha),
        (TeamEvent.ROLE_CHANGED, "viewer@alpha.example.com", world.alpha),
    ]


def test_staff_manage_teams_in_the_admin_with_the_same_rules(world, django_capture_on_commit_callbacks):
    staff = client_for(None, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        added = staff.post(
            "/admin/tenants/invitation/add/",
            {"partner": world.beta.pk, "email": "from.staff@example.com", "role": Role.MANAGER},
        )
    assert added.status_code == 302, added.content[:2000]
    assert Invitation.objects.get(email="from.staff@example.com").invited_by == world.staff
    assert mail.outbox[-1].to == ["from.staff@example.com"]
    twice = staff.post(
        "/admin/tenants/invitation/add/",
        {"partner": world.beta.pk, "email": "from.staff@example.com", "role": Role.MANAGER},
    )
    assert twice.status_code == 200 and b"already invited" in twice.content
    owner = _membership(world, world.beta, Role.OWNER)
    refused = staff.post(
        f"/admin/tenants/membership/{owner.pk}/change/",
        {"user": owner.user_id, "partner": world.beta.pk, "role": Role.VIEWER},
    )
    assert refused.status_code == 200 and b"last owner" in refused.content
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    delete = staff.get(f"/admin/tenants/membership/{owner.pk}/delete/")
    assert b"last owner" in delete.content
    staff.post(f"/admin/tenants/membership/{owner.pk}/delete/", {"post": "yes"})
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_the_inline_on_a_partner_keeps_an_owner(world):
    staff = client_for(None, world.staff)
    partner = world.beta
    rows = list(Membership.objects.filter(partner=partner).order_by("pk"))
    data = {
        "name": partner.name,
        "kind": partner.kind,
        "country": str(partner.country),
        "city": partner.city,
        "tier": partner.tier,
        "member_since": partner.member_since.isoformat(),
        "is_active": "on",
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for index, row in enumerate(rows):
        data |= {
            f"memberships-{index}-id": row.pk,
            f"memberships-{index}-partner": partner.pk,
            f"memberships-{index}-user": row.user_id,
            f"memberships-{index}-role": Role.MEMBER if row.role == Role.OWNER else row.role,
        }
    response = staff.post(f"/admin/tenants/partner/{partner.pk}/change/", data)
    assert response.status_code == 200 and b"last owner" in response.content
    assert Membership.objects.filter(partner=partner, role=Role.OWNER).count() == 1
    extra = UserFactory(email="second.owner@beta.example.com")
    data |= {
        "memberships-TOTAL_FORMS": str(len(rows) + 1),
        f"memberships-{len(rows)}-partner": partner.pk,
        f"memberships-{len(rows)}-user": extra.pk,
        f"memberships-{len(rows)}-role": Role.OWNER,
    }
    assert staff.post(f"/admin/tenants/partner/{partner.pk}/change/", data).status_code == 302
    assert list(Membership.objects.filter(partner=partner, role=Role.OWNER).values_list("user", flat=True)) == [
        extra.pk
    ]


def test_the_team_page_keeps_its_query_budget(world):
    client = client_for(world.alpha, _owner(world))

    def add(count):
        for _ in range(count):
            person = UserFactory()
            Membership.objects.create(user=person, partner=world.alpha, role=Role.MEMBER)
            services.invitation_create(
                partner=world.alpha, email=f"more.{person.pk}@example.com", role=Role.VIEWER, invited_by=person
            )

    add(1)
    client.get(TEAM)
    with query_budget(20) as few:
        assert client.get(TEAM).status_code == 200
    add(5)
    with query_budget(20) as many:
        assert client.get(TEAM).content.count(b"more.") == 6
    assert_same_queries(few, many, "team page")
