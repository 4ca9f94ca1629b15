# The everyday commands (see CONTRIBUTING.md). Run them from the repository root, in the venv
# where `make install` (or `pip install -r requirements-dev.txt`) was run; PYTHON=... picks another.
PYTHON ?= python

.PHONY: install test test-fast bench lint app

install:  ## runtime pins, test and lint tools, and the project itself (editable)
	$(PYTHON) -m pip install -r requirements-dev.txt

test:  ## the whole suite: unit, AppTest and browser tests (these skip without Chromium)
	$(PYTHON) -m pytest

test-fast:  ## everything but the browser tests
	$(PYTHON) -m pytest -m "not browser"

bench:  ## load + compute of 1 million rows, then scenario recompute (minutes, not a test)
	$(PYTHON) bench/bench_load.py
	$(PYTHON) bench/bench_scenario.py

lint:  ## what CI checks before the tests: ruff lint, ruff format, mypy
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

app:  ## the app on http://localhost:8501 (the demo data on a fresh machine)
	$(PYTHON) -m streamlit run app.py
