"""Benchmarks of the Alliance Portal, run by `python -m bench` against a scratch database (see README.md)."""
