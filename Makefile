# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test bench loadtest scale-test replica-check lint format messages venv clean-data

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "setuptools<81" wheel
	# XStatic packages ship only as sdists that still import pkg_resources, hence no build isolation.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m portal.devstack run

test: $(STAMP)
	$(PY) -m portal.devstack test

bench: $(STAMP)
	$(PY) -m portal.devstack bench

# 50 users for 2 minutes against gunicorn and a worker on a scratch database (see docs/operations.md).
loadtest: $(STAMP)
	$(PY) -m portal.devstack loadtest

# The portal on a local Citus cluster (coordinator + 2 workers; docs/scaling.md). Not part of .ci/run.
scale-test: $(STAMP)
	$(PY) -m portal.devstack scale-test

# The portal on its own primary + streaming replica in /tmp (pg_basebackup; docs/scaling.md). Not part of .ci/run.
replica-check: $(STAMP)
	$(PY) -m portal.devstack replica-check

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Refresh the zh-hans, ar and th catalogues from the source (then translate the new empty msgstr entries).
# No locations: entries then move only when their text changes, so parallel branches merge cleanly.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l ar -l th --no-location --no-obsolete \
		--ignore=staticfiles --ignore=tests --ignore=bench --ignore=media --ignore=artifacts

clean-data:
	rm -rf .data
