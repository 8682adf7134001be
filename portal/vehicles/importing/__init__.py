"""Bulk import of vehicles from CSV / XLSX files (read by `portal.core.uploads`): lenient headers, COPY, SQL upsert.

See README.md in this folder for the accepted files, columns and header names.
"""
