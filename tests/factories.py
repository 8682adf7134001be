"""Factories for people, partners and memberships."""

import factory
from django.test.utils import override_settings

from tenants.choices import PartnerKind, Role
from tenants.models import Membership, Partner, User
from tenants.services import partner_provision

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class PartnerRowFactory(factory.django.DjangoModelFactory):
    """A partner row without a schema: for list and query-budget tests that never open its host."""

    class Meta:
        model = Partner

    schema_name = factory.Sequence(lambda n: f"row_partner_{n}")
    name = factory.Sequence(lambda n: f"Row Partner {n}")
    kind = PartnerKind.COMPONENT_SUPPLIER
    country = "DE"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        partner = model_class(*args, **kwargs)
        partner.auto_create_schema = False
        partner.save()
        return partner


def provision_partner(slug: str, **fields) -> Partner:
    """A real partner with its own schema and subdomain, through the provisioning service."""
    defaults = {"name": slug.title(), "kind": PartnerKind.EV_MAKER, "country": "CN", "city": "Chongqing"}
    defaults.update(fields)
    with override_settings(PORTAL_DOMAIN="localhost"):
        return partner_provision(slug=slug, invite=False, **defaults).partner


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
