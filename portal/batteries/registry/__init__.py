"""The alliance-wide half of battery passports (public schema): the attribute list and the passport index."""
