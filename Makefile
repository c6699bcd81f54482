# fwaudit: `make demo` and `make test` work on a fresh Debian 12 machine (as root; see README).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SAMPLES := samples/build
.PHONY: setup samples demo test lint bench eval-corpus clean

setup:
	@bash scripts/setup.sh

samples: setup
	@$(PY) samples/build.py --out $(SAMPLES)

demo: samples
	@set -e; for manifest in $(SAMPLES)/*.manifest.json; do \
	  name=$$(basename $$manifest .manifest.json); \
	  image=$$($(PY) -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' $$manifest); \
	  echo "== $$name"; \
	  $(VENV)/bin/fwaudit scan $(SAMPLES)/$$image -o reports/$$name -f all || [ $$? -eq 1 ]; \
	done; echo "reports written under reports/"

test: samples
	@$(VENV)/bin/pytest -q

lint: setup
	@$(VENV)/bin/ruff check .

bench: samples
	@$(PY) bench/extract.py

clean:
	rm -rf $(SAMPLES) reports/*/ .pytest_cache
