"""Battery passports (Regulation (EU) 2023/1542, Annex XIII): a partner's batteries, their models and readings."""
