"""The import template: an empty table whose columns are named in the reader's language, as CSV or XLSX.

The import reads these names back in any of the portal's languages (`headers.TEMPLATE_LABELS`), so a file filled
in from the Arabic template imports as well as one from the English template.
"""

from portal.core.spreadsheets import table_csv_response, table_xlsx_response

from .headers import template_header

NAME = "vehicle-import-template"


def template_csv_response():
    """The template as CSV (UTF-8 with BOM, so spreadsheet programs show every script)."""
    return table_csv_response(headers=template_header(), rows=[], name=NAME)


def template_xlsx_response():
    """The template as XLSX."""
    return table_xlsx_response(headers=template_header(), rows=[], name=NAME)
