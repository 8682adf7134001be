"""Reference rule rows (`RuleRow`): the dates, source and history every dated rule table shares, and the one way to
ask which rows are in force on a day."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from portal.reference.models import (
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    MarketRequirement,
    PriceUndertaking,
    RuleRow,
)
from portal.reference.seeding import rule_rows_seed

pytestmark = pytest.mark.django_db

RULE_ROW_MODELS = [MarketRequirement, Embargo, ExportLicenceRule, ImportDutyRate, PriceUndertaking]
DAY = datetime.date(2026, 6, 15)


def _embargo(start, end=None, country="KP"):
    return Embargo.objects.create(
        country=country, severity="full", effective_from=start, effective_until=end, source_reference="test"
    )


@pytest.mark.parametrize("model", RULE_ROW_MODELS, ids=lambda model: model.__name__)
def test_each_rule_table_is_a_rule_row_with_its_own_history_table(model):
    assert issubclass(model, RuleRow)
    history = model.history.model
    assert history._meta.db_table == f"reference_historical{model._meta.model_name}"
    kept = {field.name for field in history._meta.fields}
    assert {"effective_from", "effective_until", "source_reference", "note", "history_id"} <= kept
    # The table's own fields come first, the shared ones last (forms and exports read in that order).
    names = [field.name for field in model._meta.fields]
    assert names[-4:] == ["effective_from", "effective_until", "source_reference", "note"]


def test_in_force_on_a_table_and_on_a_row_agree():
    rows = [
        _embargo(DAY - datetime.timedelta(days=10)),  # open-ended, started
        _embargo(DAY, DAY),  # one day: today
        _embargo(DAY - datetime.timedelta(days=10), DAY - datetime.timedelta(days=1)),  # ended yesterday
        _embargo(DAY + datetime.timedelta(days=1)),  # starts tomorrow
    ]
    in_force = set(Embargo.objects.in_force_on(DAY).values_list("pk", flat=True))
    assert in_force == {rows[0].pk, rows[1].pk}
    assert {row.pk for row in rows if row.in_force_on(DAY)} == in_force
    # The manager's method and the queryset's are the same (chained after a filter).
    assert set(Embargo.objects.filter(country="KP").in_force_on(DAY).values_list("pk", flat=True)) == in_force


def test_clean_refuses_an_end_before_the_start_in_each_table_words():
    embargo = Embargo(
        country="KP", severity="full", effective_from=DAY, effective_until=DAY - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        embargo.clean()
    assert error.value.message_dict == {"effective_until": ["The embargo cannot end before it starts."]}
    undertaking = PriceUndertaking(
        producer="P",
        model="M",
        configuration="C",
        minimum_price=1,
        annual_cap=1,
        effective_from=DAY,
        effective_until=DAY - datetime.timedelta(days=1),
        source_reference="s",
    )
    with pytest.raises(ValidationError) as error:
        undertaking.clean()
    assert error.value.message_dict == {"effective_until": ["The rule cannot end before it starts."]}


def test_a_missing_start_is_a_field_error_not_a_crash():
    embargo = Embargo(country="KP", severity="full", effective_until=DAY, source_reference="s")
    with pytest.raises(ValidationError) as error:
        embargo.full_clean()
    assert "effective_from" in error.value.message_dict


def test_seeding_helper_creates_rows_with_their_history_once():
    migration_apps = MigrationLoader(connection).project_state().apps  # as a data migration sees them: no signals
    rows = [
        {"country": "KP", "severity": "full", "effective_from": DAY, "source_reference": "seed source"},
        {"country": "SY", "severity": "partial", "effective_from": DAY, "source_reference": "seed source"},
    ]
    created = rule_rows_seed(migration_apps, "Embargo", rows, match=["country", "effective_from"], reason="seed: test")
    assert len(created) == 2
    again = rule_rows_seed(migration_apps, "Embargo", rows, match=["country", "effective_from"], reason="seed: test")
    assert again == []
    for embargo in Embargo.objects.filter(source_reference="seed source"):
        record = embargo.history.get()
        assert (record.history_type, record.history_change_reason) == ("+", "seed: test")
        assert (record.country, record.severity, record.effective_from) == (
            embargo.country,
            embargo.severity,
            embargo.effective_from,
        )
