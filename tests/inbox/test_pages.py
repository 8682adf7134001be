"""Inbox pages: the bell, the list, read marks, preferences; each person sees their own, in their workspace only."""

from django_tenants.utils import schema_context

from portal.inbox.choices import Delivery, NoticeKind
from portal.inbox.models import Notice, NoticePreference
from tenants.choices import Role

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from .factories import MOMENT, notice_make, notices_of


def test_the_bell_counts_unread_notices_and_the_list_shows_them(world):
    owner = world.person(world.alpha, Role.OWNER)
    notice_make(world.alpha, owner, text="Lin joined as manager")
    notice_make(world.alpha, owner, text="Read already", read_at=MOMENT)
    client = client_for(world.alpha, owner)
    home = client.get("/").content.decode()
    assert 'data-testid="inbox-unread">1<' in home
    page = client.get("/inbox/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Lin joined as manager" in body and "Read already" in body
    assert [notice.is_unread for notice in page.context["page"]] == [False, True]  # newest first
    unread_only = client.get("/inbox/?show=unread").content.decode()
    assert "Lin joined as manager" in unread_only and "Read already" not in unread_only


def test_no_bell_for_nothing_unread(world):
    body = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).get("/").content.decode()
    assert 'data-testid="inbox-bell"' in body and 'data-testid="inbox-unread"' not in body


def test_mark_read_then_open_goes_to_the_page_of_the_notice(world):
    owner = world.person(world.alpha, Role.OWNER)
    notice = notice_make(world.alpha, owner, url="/compliance/")
    client = client_for(world.alpha, owner)
    response = client.post(f"/inbox/{notice.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/compliance/"
    assert notices_of(world.alpha, owner)[0].read_at is not None


def test_a_notice_that_points_off_the_host_is_never_followed(world):
    owner = world.person(world.alpha, Role.OWNER)
    notice = notice_make(world.alpha, owner, url="https://evil.example/")
    response = client_for(world.alpha, owner).post(f"/inbox/{notice.pk}/read/", {"open": "1"})
    assert response["Location"] == "/inbox/"


def test_another_persons_notice_cannot_be_marked_read(world):
    owner, member = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MEMBER)
    notice = notice_make(world.alpha, owner)
    response = client_for(world.alpha, member).post(f"/inbox/{notice.pk}/read/")
    assert response.status_code == 404
    assert notices_of(world.alpha, owner)[0].read_at is None


def test_mark_all_read_marks_only_the_persons_own(world):
    owner, member = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MEMBER)
    notice_make(world.alpha, owner)
    notice_make(world.alpha, owner)
    notice_make(world.alpha, member)
    response = client_for(world.alpha, owner).post("/inbox/read-all/", {"next": "/inbox/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?show=unread"
    assert all(notice.read_at for notice in notices_of(world.alpha, owner))
    assert notices_of(world.alpha, member)[0].read_at is None


def test_a_person_of_beta_never_sees_alphas_notices(world):
    alpha_owner, beta_owner = world.person(world.alpha, Role.OWNER), world.person(world.beta, Role.OWNER)
    notice = notice_make(world.alpha, alpha_owner, text="Alpha private team change")
    beta = client_for(world.beta, beta_owner)
    assert "Alpha private team change" not in beta.get("/inbox/").content.decode()
    assert beta.post(f"/inbox/{notice.pk}/read/").status_code == 404
    # Nor on alpha's own host, where beta's owner is not a member.
    alpha_host = client_for(world.alpha, beta_owner)
    assert alpha_host.get("/inbox/").status_code in (302, 403, 404)
    assert alpha_host.post(f"/inbox/{notice.pk}/read/").status_code in (302, 403, 404)
    assert notices_of(world.alpha, alpha_owner)[0].read_at is None


def test_preferences_are_saved_per_person(world):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    assert client.get("/inbox/preferences/").status_code == 200
    kinds = [kind for kind in NoticeKind.values if kind != NoticeKind.IMPORT]
    response = client.post("/inbox/preferences/", {"kinds": kinds, "delivery": Delivery.INSTANT})
    assert response.status_code == 302
    with schema_context(world.alpha.schema_name):
        preference = NoticePreference.objects.get(user=owner)
        assert preference.delivery == Delivery.INSTANT and preference.muted == [NoticeKind.IMPORT]
        assert not NoticePreference.objects.exclude(user=owner).exists()
    bad = client.post("/inbox/preferences/", {"kinds": kinds, "delivery": "hourly"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_the_inbox_needs_no_more_queries_for_more_notices(world):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    notice_make(world.alpha, owner)
    client.get("/inbox/")
    with query_budget(10) as few:
        client.get("/inbox/")
    for index in range(30):
        notice_make(world.alpha, owner, text=f"notice {index}")
    with query_budget(10) as many:
        client.get("/inbox/")
    assert_same_queries(few, many, "the inbox")
    with schema_context(world.alpha.schema_name):
        assert Notice.objects.filter(user=owner).count() == 31
