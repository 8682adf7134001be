"""Bulk import of vehicles from CSV / XLSX files: sniffing, lenient headers, streaming readers, COPY, SQL upsert.

See README.md in this folder for the accepted files, columns and header names.
"""
