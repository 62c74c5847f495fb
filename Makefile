# Two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GEO := $(VENV)/bin/geo
STAMP := $(VENV)/.installed-stamp
STORE ?= data/incidents.gpkg
PORT ?= 8501

.PHONY: run test setup gazetteer assets browser postgis lint bench clean-store

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) gazetteer assets

gazetteer: $(STAMP)
	$(GEO) gazetteer build

assets: $(STAMP)
	$(GEO) assets

browser:
	bash scripts/ensure-chromium.sh

# the PostGIS store tests start their own throwaway cluster; this only installs the server
postgis:
	bash scripts/ensure-postgis.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check geo tests bench app.py

test: setup browser postgis
	$(VENV)/bin/ruff check geo tests bench app.py
	$(VENV)/bin/pytest -q -p no:cacheprovider

run: setup
	$(GEO) ingest data/sample --store $(STORE) --if-empty
	GEO_STORE=$(STORE) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

bench: setup
	$(PY) bench/run_all.py

clean-store:
	rm -f $(STORE) $(STORE)-wal $(STORE)-shm
