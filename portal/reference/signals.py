"""Signals of the reference tables, so apps that depend on them react without this app importing theirs."""

from django.dispatch import Signal

# Sent after the commit of any change to the rule tables or the screening list; `kind` is "rules" or "screening".
reference_changed = Signal()
