"""Dry run → import, in a real browser (issue 13, slows a task): a member uploads a file as a dry run, reads what
would happen ("Dry run: would import 5, reject 3"), imports the valid rows from the report without uploading the
file again, and reads what did happen ("Imported 5, rejected 3") — never a green "Succeeded" over rejected rows.
English and Arabic.

A real Celery worker runs the imports (the server queues them on the session's broker). The model and the WMI are
committed by a fixture (the server runs in another process) and everything the journey made is removed afterwards.
"""

import pytest
from django.utils import translation
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.celery import app
from portal.inbox.models import Notice
from portal.vehicles.importing.selectors import import_job_outcome
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel
from tenants.models import Partner
from tests.factories import TEST_PASSWORD

from ..processes import ROOT, start, stop, subprocess_env
from ..vehicles.factories import WMI, vin_for, wmi_ensure
from ..vehicles.import_samples import csv_bytes
from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MODEL = "Dry-run journey S1"
FILE = "dry-run-journey.csv"
SERIALS = range(970_001, 970_006)  # VINs no other test makes
RUN_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def worker(portal_server):
    """A Celery worker on the session's broker and test database: it runs what the server queues."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    process = start(
        ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        # The server's settings (the test settings, as the server's), so both read and write the same media folder.
        subprocess_env(),
        ROOT / "artifacts" / "logs" / "worker-import-dry-run.log",
    )  # fmt: skip
    yield process
    stop(process)


@pytest.fixture(scope="module")  # module scope: committed before the test's own transaction, seen by the server
def alpha_model(portal_server, django_db_blocker):
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        wmi_ensure(alpha)
        with schema_context(alpha.schema_name):
            model, _created = VehicleModel.objects.get_or_create(
                name=MODEL,
                defaults={"category": "L3e", "battery_chemistry": "LFP", "battery_kwh": "2.10", "hs_code": "8711.60"},
            )
            notices = set(Notice.objects.values_list("pk", flat=True))
    try:
        yield model
    finally:
        with django_db_blocker.unblock(), schema_context("alpha"):
            ImportJob.objects.filter(original_name=FILE).delete()
            Vehicle.objects.filter(model=model).delete()
            model.delete()
            Notice.objects.exclude(pk__in=notices).delete()


def _file() -> bytes:
    good = [(vin_for(WMI["alpha"], serial), MODEL, "2025-03-01", "Banan") for serial in SERIALS]
    bad = [("NOT-A-VIN", MODEL, "2025-03-01", ""), ("", MODEL, "", ""), ("LAL", "No such model", "soon", "")]
    return csv_bytes(good + bad)


def test_dry_run_then_import_without_uploading_again(
    page: Page, portal_server: PortalServer, console: ConsoleLog, worker, alpha_model
):
    page.goto(portal_server.url("alpha", "/vehicles/imports/new/"))
    sign_in(page, "member@alpha.example.com", TEST_PASSWORD)
    page.goto(portal_server.url("alpha", "/vehicles/imports/new/"))
    expect(page.get_by_test_id("template-links").get_by_role("link")).to_have_count(2)

    # 1. Upload as a dry run: nothing changes, the report says what would happen.
    page.locator("input[type=file]").set_input_files({"name": FILE, "mimeType": "text/csv", "buffer": _file()})
    page.locator("#id_dry_run").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    outcome = page.get_by_test_id("import-outcome")
    expect(outcome).to_contain_text("Dry run: would import 5, reject 3.", timeout=RUN_TIMEOUT_MS)
    expect(outcome).to_contain_text("would be refused")  # all or nothing: committed as is, the file is refused
    expect(page.get_by_test_id("rejections").locator("tbody tr")).to_have_count(8)  # every error of each row
    dry_run_url = page.url
    with schema_context("alpha"):
        assert not Vehicle.objects.filter(model__name=MODEL).exists()

    # 2. Import the valid rows from the report: no file to choose again.
    commit = page.get_by_test_id("commit")
    expect(commit.get_by_role("button")).to_have_text("Import the 5 valid rows")
    screenshot(page, "import-dry-run-en")
    with page.expect_navigation():
        commit.get_by_role("button").click()
    assert page.url != dry_run_url
    outcome = page.get_by_test_id("import-outcome")
    expect(outcome).to_have_text("Imported 5, rejected 3.", timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("import-status")).to_have_text("Partly imported")
    expect(page.get_by_test_id("committed-from").get_by_role("link")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Succeeded")
    with schema_context("alpha"):
        dry_run, run = ImportJob.objects.filter(original_name=FILE).order_by("created_at")
        assert (run.committed_from_id, run.file.name, run.dry_run) == (dry_run.pk, dry_run.file.name, False)
        assert Vehicle.objects.filter(model__name=MODEL).count() == 5
    screenshot(page, "import-dry-run-result-en")

    # 3. The same report in Arabic, right to left, the counts in words of the reader's language.
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    with translation.override("ar"):
        expected = import_job_outcome(run).text
    assert expected != "Imported 5, rejected 3."
    expect(page.get_by_test_id("import-outcome")).to_have_text(expected)
    page.goto(dry_run_url)
    expect(page.get_by_test_id("committed")).to_be_visible()  # the dry run now points to its import
    screenshot(page, "import-dry-run-ar")
    assert_clean_console(console)
