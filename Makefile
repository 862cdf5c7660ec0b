# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-output
DEMO_SCALE ?= 0.01
DEMO_SEED ?= 2006

.PHONY: venv demo test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/recoverylink synth --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --out $(DEMO_DIR)/synth --force
	$(BIN)/recoverylink synth --check $(DEMO_DIR)/synth || echo "(the figures marked FAIL are outside their tolerance at this small scale)"
	rm -rf $(DEMO_DIR)/data
	$(BIN)/recoverylink ingest $(DEMO_DIR)/synth --data-dir $(DEMO_DIR)/data
	$(BIN)/recoverylink status --data-dir $(DEMO_DIR)/data --limit 10
	@# the demo links with a throwaway key unless you set your own
	RECOVERYLINK_PSEUDONYM_KEY="$${RECOVERYLINK_PSEUDONYM_KEY:-demo-$$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}" \
		$(BIN)/recoverylink link --data-dir $(DEMO_DIR)/data --truth $(DEMO_DIR)/synth/truth
	$(BIN)/recoverylink build --data-dir $(DEMO_DIR)/data
	$(BIN)/recoverylink indicators --data-dir $(DEMO_DIR)/data --population-scale $(DEMO_SCALE)
	@echo ""
	@echo "Synthetic England written to $(DEMO_DIR)/synth (truth in $(DEMO_DIR)/synth/truth)."
	@echo "Loaded into $(DEMO_DIR)/data: warehouse.duckdb, identity.duckdb, landing/ (the archive), logs/."
	@echo "Linked (report: $(DEMO_DIR)/data/linkage/report/linkage-report.html); mart built in warehouse.duckdb."
	@echo "Indicators (Parquet and CSV): $(DEMO_DIR)/data/outputs/indicators; see docs/data-dictionary.md."

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_DIR)
