"""Supply reports: one month through the service, many from a CSV file (all or nothing), every refusal explained."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.core.months import month_add
from portal.supply.models import SupplyReport
from portal.supply.services import supply_report_save, supply_reports_import

D = Decimal


@pytest.fixture
def alpha(world):
    with schema_context("alpha"):
        yield world.alpha


def reports() -> dict:
    return {r.month: (r.total_value, r.local_value, r.currency, r.note) for r in SupplyReport.objects.all()}


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


# ---------------------------------------------------------------- one month


def test_a_report_is_saved_for_the_first_day_of_its_month(alpha, world):
    user = world.person(alpha, "manager")
    report = supply_report_save(
        month=datetime.date(2025, 3, 17), total_value=D("1000.50"), local_value=D(400), currency="thb", by=user
    )
    assert (report.month, report.total_value, report.local_value, report.currency) == (
        datetime.date(2025, 3, 1),
        D("1000.50"),
        D(400),
        "THB",
    )
    assert report.reported_by == user and report.local_rate == 40.0


def test_the_current_month_may_be_reported_but_not_the_next(alpha):
    supply_report_save(month=this_month(), total_value=D(10), local_value=D(1))
    with pytest.raises(ValidationError) as error:
        supply_report_save(month=month_add(this_month(), 1), total_value=D(10), local_value=D(1))
    assert error.value.message_dict == {"month": ["A month that has not begun cannot be reported."]}
    assert list(reports()) == [this_month()]


@pytest.mark.parametrize(
    ("total", "local", "errors"),
    [
        (100, 101, {"local_value": ["Local purchases cannot exceed all purchases."]}),
        (
            -1,
            0,
            {
                "total_value": ["Purchases cannot be negative."],
                "local_value": ["Local purchases cannot exceed all purchases."],
            },
        ),
        (100, -5, {"local_value": ["Purchases cannot be negative."]}),
    ],
)
def test_invalid_figures_are_refused_and_nothing_is_saved(alpha, total, local, errors):
    supply_report_save(month=datetime.date(2025, 1, 1), total_value=D(50), local_value=D(5))
    before = reports()
    with pytest.raises(ValidationError) as error:
        supply_report_save(month=datetime.date(2025, 1, 1), total_value=D(total), local_value=D(local))
    assert error.value.message_dict == errors
    with pytest.raises(ValidationError):
        supply_report_save(month=datetime.date(2025, 2, 1), total_value=D(total), local_value=D(local))
    assert reports() == before


def test_a_second_report_of_a_month_replaces_the_first(alpha):
    first = supply_report_save(month=datetime.date(2025, 1, 1), total_value=D(100), local_value=D(10), note="first")
    second = supply_report_save(month=datetime.date(2025, 1, 20), total_value=D(200), local_value=D(50), note="fix")
    assert second.pk == first.pk
    assert reports() == {datetime.date(2025, 1, 1): (D(200), D(50), "CNY", "fix")}


def test_local_equal_to_total_and_zero_are_allowed(alpha):
    supply_report_save(month=datetime.date(2025, 1, 1), total_value=D(100), local_value=D(100))
    supply_report_save(month=datetime.date(2025, 2, 1), total_value=D(0), local_value=D(0))
    assert SupplyReport.objects.get(month=datetime.date(2025, 2, 1)).local_rate is None
    assert SupplyReport.objects.count() == 2


# ---------------------------------------------------------------- files


def test_a_utf8_file_with_a_bom(alpha):
    raw = '\ufeffmonth,total,local,currency,note\n2025-01,1000,300,cny,first\n2025/2,"2,000.50",500,,\n'.encode()
    saved = supply_reports_import(file=io.BytesIO(raw))
    assert len(saved) == 2
    assert reports() == {
        datetime.date(2025, 1, 1): (D(1000), D(300), "CNY", "first"),
        datetime.date(2025, 2, 1): (D("2000.50"), D(500), "CNY", ""),
    }


def test_a_gbk_file_with_chinese_headers(alpha):
    raw = "月份,合计,本地,备注\n2025-03,8000,6000,华东供应商\n".encode("gbk")
    supply_reports_import(file=io.BytesIO(raw))
    assert reports() == {datetime.date(2025, 3, 1): (D(8000), D(6000), "CNY", "华东供应商")}


def test_a_semicolon_separated_file(alpha):
    raw = b"Month;Total;Local\r\n2025-04;900;100\r\n2025-05;800;200\r\n"
    supply_reports_import(file=io.BytesIO(raw))
    assert reports() == {
        datetime.date(2025, 4, 1): (D(900), D(100), "CNY", ""),
        datetime.date(2025, 5, 1): (D(800), D(200), "CNY", ""),
    }


def test_utf16_pipe_separated_and_xlsx_files(alpha):
    """The platform reader: UTF-16 with a BOM, any separator, and workbooks."""
    import openpyxl

    supply_reports_import(file=io.BytesIO("month|total|local\r\n2025-06|700|70\r\n".encode("utf-16")))
    workbook = openpyxl.Workbook()
    workbook.active.append(["month", "total", "local"])
    workbook.active.append(["2025-07", 600, 60.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    supply_reports_import(file=io.BytesIO(buffer.getvalue()))
    assert reports() == {
        datetime.date(2025, 6, 1): (D(700), D(70), "CNY", ""),
        datetime.date(2025, 7, 1): (D(600), D("60.5"), "CNY", ""),
    }


def test_a_decimal_comma_in_a_semicolon_file_is_not_read_as_a_thousands_separator(alpha):
    raw = b"month;total;local\n2025-04;1000,50;100,25\n"
    try:
        supply_reports_import(file=io.BytesIO(raw))
    except ValidationError:
        assert reports() == {}  # refusing the file is fine too
    else:
        assert reports() == {datetime.date(2025, 4, 1): (D("1000.50"), D("100.25"), "CNY", "")}


def test_a_file_replaces_the_months_it_reports_and_keeps_the_others(alpha):
    supply_report_save(month=datetime.date(2025, 1, 1), total_value=D(1), local_value=D(1))
    supply_report_save(month=datetime.date(2025, 2, 1), total_value=D(2), local_value=D(2))
    supply_reports_import(file=io.BytesIO(b"month,total,local\n2025-02,20,10\n"))
    assert reports() == {
        datetime.date(2025, 1, 1): (D(1), D(1), "CNY", ""),
        datetime.date(2025, 2, 1): (D(20), D(10), "CNY", ""),
    }


def _refused(raw: bytes) -> list[str]:
    supply_report_save(month=datetime.date(2024, 12, 1), total_value=D(7), local_value=D(3))
    before = reports()
    with pytest.raises(ValidationError) as error:
        supply_reports_import(file=io.BytesIO(raw))
    assert reports() == before, "a refused file changed the reports"
    return error.value.messages


def test_bad_rows_are_reported_with_their_line_numbers_and_nothing_is_saved(alpha):
    future = month_add(this_month(), 2)
    raw = (
        "month,total,local\n"
        "2025-01,100,10\n"  # fine, but the file is all or nothing
        "2025-02,abc,10\n"
        "\n"
        "2025-13,100,10\n"
        "2025-03,100,200\n"
        f"{future:%Y-%m},100,10\n"
        "2025-04,-3,0\n"
    ).encode()
    assert _refused(raw) == [
        "line 3: “abc” is not a number.",
        "line 5: “2025-13” is not a month: write it as YYYY-MM.",
        "line 6: Local purchases cannot exceed all purchases.",
        "line 7: A month that has not begun cannot be reported.",
        "line 8: Purchases cannot be negative. Local purchases cannot exceed all purchases.",
    ]


def test_a_month_twice_in_a_file_is_refused(alpha):
    raw = b"month,total,local\n2025-01,100,10\n2025-02,100,10\n2025-01-15,90,10\n"
    assert _refused(raw) == ["line 4: 2025-01 is also on line 2."]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n ", "The file has no rows."),
        (b"month,total,local\n", "The file has no rows below its header."),
        (b"month,total,local\n,,\n", "The file has no rows below its header."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is a binary file, not a CSV or XLSX table."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "This XLSX file is damaged or is not an Excel workbook."),
        (
            b"month,amount\n2025-01,100\n",
            "The file needs the columns month, total and local; missing: total_value, local_value.",
        ),
        (b"x" * 1_000_001, "The file is larger than 1 MB."),
        (b"month,total,local\n" + b"2025-01,1,1\n" * 1201, "The file has more than 1200 rows."),
        (b"month,total,local\n2025-01,NaN,0\n", "line 2: “NaN” is not a number."),
        (b"month,total,local\n2025-01,Infinity,0\n", "line 2: “Infinity” is not a number."),
    ],
    ids=["empty", "blank", "header-only", "empty-rows", "png", "zip", "columns", "too-big", "too-many", "nan", "inf"],
)
def test_unusable_files_are_refused_clearly(alpha, raw, message):
    assert _refused(raw) == [message]


def test_a_file_that_is_not_text_is_refused(alpha):
    # Invalid in UTF-8 and in GB18030 (0x80 and 0xFF are never a GB18030 lead byte), and no NUL to give it away.
    assert _refused(b"month,total,local\n\x80\xff\x80\xff,1,1\n") == [
        "This file is neither UTF-8, UTF-16 nor GBK/GB18030 text, nor an XLSX workbook."
    ]
