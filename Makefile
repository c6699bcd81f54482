# fwaudit: `make demo` and `make test` work on a fresh Debian 12 machine (as root; see README).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SAMPLES := samples/build
.PHONY: setup samples controls demo test lint bench eval eval-corpus fresh-check clean

setup:
	@bash scripts/setup.sh

samples: setup
	@$(PY) samples/build.py --out $(SAMPLES)

# Debian armhf/arm64/mipsel binaries (busybox-static, libc6, libssl3, dropbear): negative controls for rules
controls: setup
	@bash scripts/fetch-controls.sh

demo: samples
	@set -e; written=(); for manifest in $(SAMPLES)/*.manifest.json; do \
	  name=$$(basename $$manifest .manifest.json); \
	  image=$$($(PY) -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' $$manifest); \
	  echo "== $$name"; \
	  $(VENV)/bin/fwaudit scan $(SAMPLES)/$$image -o reports/$$name -f all || [ $$? -eq 1 ]; \
	  written+=(reports/$$name/report.json); \
	done; echo "reports written under reports/"; \
	rm -f reports/fleet.sqlite reports/fleet.sqlite-wal reports/fleet.sqlite-shm; \
	$(VENV)/bin/fwaudit db import --store reports/fleet.sqlite "$${written[@]}"; \
	echo "web console: $(VENV)/bin/fwaudit serve --db reports/fleet.sqlite   then open http://127.0.0.1:8080/"

test: samples controls
	@$(VENV)/bin/pytest -q

eval-corpus: setup controls
	@$(PY) tools/eval_corpus.py

# precision/recall per layer on the labelled real corpus ../shared/corpus (skipped when it is absent)
EVAL_OUT ?= build/eval
eval: setup
	@if [ -f ../shared/eval/score.py ] && [ -f ../shared/corpus/labels.tsv ]; then \
	  python3 ../shared/eval/score.py --fwaudit $(VENV)/bin/fwaudit --corpus ../shared/corpus \
	    --out $(EVAL_OUT) --jobs $${EVAL_JOBS:-2} $${EVAL_ITEMS:+--items "$$EVAL_ITEMS"}; \
	  $(PY) tools/eval_endpoints.py --out $(EVAL_OUT) --corpus ../shared/corpus; \
	else echo "make eval: ../shared/corpus or ../shared/eval/score.py absent; skipped"; fi

# the README's two commands on a really fresh Debian 12 root (mmdebstrap); downloads a base system, not in CI
fresh-check:
	@bash scripts/fresh-check.sh

lint: setup
	@$(VENV)/bin/ruff check .

# bench/speed.py builds its images from the Debian control binaries (make controls)
bench: samples controls
	@$(PY) bench/speed.py --big
	@$(PY) bench/extract.py
	@$(PY) bench/inspect_stage.py
	@$(PY) bench/cache.py
	@$(PY) bench/fleet.py

clean:
	rm -rf $(SAMPLES) reports/*/ .pytest_cache
