"""Provisioning a partner: schema cloned from the template, subdomain, owner invitation; bad input changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.choices import PartnerKind, Role
from tenants.models import Domain, Membership, Partner, User
from tenants.services import partner_provision


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_provisioning_creates_schema_domain_owner_and_sends_invitation(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        provisioned = partner_provision(
            name="Gamma Drives",
            slug="gamma-drives",
            kind=PartnerKind.COMPONENT_SUPPLIER,
            country="TH",
            city="Rayong",
            owner_email="Boss@Gamma.example",
        )
    partner = provisioned.partner
    assert partner.schema_name == "gamma_drives"
    assert schema_exists("gamma_drives")
    assert _tables("gamma_drives") == _tables("partner_template")
    assert provisioned.domain.domain == "gamma-drives.localhost"
    assert provisioned.owner.email == "boss@gamma.example"
    assert Membership.objects.get(user=provisioned.owner, partner=partner).role == Role.OWNER
    assert not provisioned.owner.has_usable_password()
    assert len(mail.outbox) == 1
    assert "Gamma Drives" in mail.outbox[0].subject
    assert "http://gamma-drives.localhost" in mail.outbox[0].body


def test_cloned_schema_is_recorded_as_fully_migrated(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM alpha.django_migrations")
        alpha_count = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM partner_template.django_migrations")
        template_count = cursor.fetchone()[0]
    assert alpha_count == template_count > 0


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("A", "invalid_slug"),
        ("has space", "invalid_slug"),
        ("-leading", "invalid_slug"),
        ("admin", "reserved_slug"),
        ("alpha", "slug_taken"),
        ("x" * 60, "invalid_slug"),
    ],
)
def test_bad_slug_is_refused_and_nothing_is_created(world, slug, code):
    partners, domains, users = Partner.objects.count(), Domain.objects.count(), User.objects.count()
    with pytest.raises(ValidationError) as raised:
        partner_provision(name="Bad", slug=slug, kind=PartnerKind.EV_MAKER, country="CN", owner_email="new@x.example")
    assert raised.value.error_dict["slug"][0].code == code
    assert (Partner.objects.count(), Domain.objects.count(), User.objects.count()) == (partners, domains, users)


def test_unknown_kind_is_refused_before_any_schema_is_made(db):
    with pytest.raises(ValidationError):
        partner_provision(name="Odd", slug="odd-kind", kind="spaceship_maker", country="CN")
    assert not schema_exists("odd_kind")


def test_management_command_provisions_and_reports_errors(db):
    call_command("provision_partner", "delta-ev", "Delta EV", kind="ev_maker", country="hu")
    assert Partner.objects.get(schema_name="delta_ev").country.code == "HU"
    with pytest.raises(CommandError, match="already uses"):
        call_command("provision_partner", "delta-ev", "Delta again", kind="ev_maker", country="HU")


def test_admin_add_form_provisions_through_the_service(world):
    from ..conftest import client_for

    client = client_for(None, world.staff)
    response = client.post(
        "/admin/tenants/partner/add/",
        {
            "name": "Epsilon Motors",
            "slug": "epsilon",
            "kind": "ev_maker",
            "country": "CN",
            "city": "Chongqing",
            "tier": "full",
            "owner_email": "owner@epsilon.example",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    partner = Partner.objects.get(schema_name="epsilon")
    assert schema_exists("epsilon")
    assert partner.domains.get().domain == "epsilon.localhost"
    assert partner.memberships.get().role == Role.OWNER


def test_admin_deactivate_action_calls_the_service(world):
    from ..conftest import client_for

    client = client_for(None, world.staff)
    response = client.post(
        "/admin/tenants/partner/", {"action": "deactivate", "_selected_action": [world.beta.pk]}, follow=True
    )
    assert response.status_code == 200
    world.beta.refresh_from_db()
    assert world.beta.is_active is False


def test_invited_owner_sets_a_password_and_enters_the_workspace(db, django_capture_on_commit_callbacks):
    import re

    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        partner_provision(name="Eta", slug="eta-motors", kind="ev_maker", country="CN", owner_email="eta@x.example")
    link = re.search(r"http://eta-motors\.localhost(?::\d+)?(/\S+)", mail.outbox[-1].body).group(1)
    client = Client(HTTP_HOST="eta-motors.localhost")
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    new_password = "Chongqing-2027-target"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    signed_in = client.post("/accounts/login/", {"username": "eta@x.example", "password": new_password})
    assert signed_in.status_code == 302
    assert client.get("/").context["current_membership"].role == Role.OWNER
