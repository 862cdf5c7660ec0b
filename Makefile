# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
CHROMIUM := /usr/bin/chromium
DEMO_DIR ?= demo-output
DEMO_SCALE ?= 0.01
DEMO_SEED ?= 2006
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
# NO_SERVE=1 make demo: build everything, then stop instead of serving the site
NO_SERVE ?=

.PHONY: venv system demo test lint typecheck bench bench-web clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages the website needs: npm (GOV.UK Frontend and axe-core, from the npm
# registry) and chromium (the browser tests drive it). Silent when both are there.
system:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "error: these Debian packages are missing:$$missing; install them as root (apt-get install$$missing) and run make again" >&2; exit 1; fi; \
		echo "Installing Debian packages:$$missing (apt-get; log in $(VENV)/apt.log)"; \
		mkdir -p $(VENV); \
		{ $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q \
		  && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; } \
		  >$(VENV)/apt.log 2>&1 || { tail -n 20 $(VENV)/apt.log >&2; \
		  echo "error: apt-get could not install$$missing (see $(VENV)/apt.log)" >&2; exit 1; }; \
	fi

# GOV.UK Frontend (the site's styles) and axe-core (the accessibility test), as locked
$(NPM_STAMP): package.json package-lock.json | system
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

venv: $(STAMP) $(NPM_STAMP) system

demo: venv
	@echo "==> [1/5] Generating a synthetic England (scale $(DEMO_SCALE), seed $(DEMO_SEED)) in $(DEMO_DIR)/synth"
	$(BIN)/recoverylink synth --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --out $(DEMO_DIR)/synth --force
	@echo "==> [2/5] Checking it against published figures"
	@# a figure checked can still miss by chance at this small scale: the demo goes on
	$(BIN)/recoverylink synth --check $(DEMO_DIR)/synth || echo "(A figure with enough people to check is outside its tolerance here. At a hundredth of England one can miss by chance; at full size every figure is within tolerance: see docs/synthetic-england.md. The demo goes on.)"
	@echo "==> [3/5] From the raw files to the published site: recoverylink run (ingest, link, build, indicators, studies, publish)"
	@# the same synthetic England as last time resumes (steps done are skipped); another starts afresh
	@cmp -s $(DEMO_DIR)/synth/manifest.json $(DEMO_DIR)/data/demo-manifest.json || rm -rf $(DEMO_DIR)/data
	@mkdir -p $(DEMO_DIR)/data && cp $(DEMO_DIR)/synth/manifest.json $(DEMO_DIR)/data/demo-manifest.json
	@# the demo links with a throwaway key unless you set your own
	RECOVERYLINK_PSEUDONYM_KEY="$${RECOVERYLINK_PSEUDONYM_KEY:-demo-$$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')}" \
		$(BIN)/recoverylink run $(DEMO_DIR)/synth --data-dir $(DEMO_DIR)/data \
		--truth $(DEMO_DIR)/synth/truth --population-scale $(DEMO_SCALE)
	@echo ""
	@echo "Synthetic England written to $(DEMO_DIR)/synth (truth in $(DEMO_DIR)/synth/truth)."
	@echo "Loaded into $(DEMO_DIR)/data: warehouse.duckdb, identity.duckdb, landing/ (the archive), logs/."
	@echo "Linked (report: $(DEMO_DIR)/data/linkage/report/linkage-report.html); mart built in warehouse.duckdb."
	@echo "Indicators (Parquet and CSV): $(DEMO_DIR)/data/outputs/indicators; see docs/data-dictionary.md."
	@echo "Studies: $(DEMO_DIR)/data/outputs/studies/*/report.html."
	@echo "Publication: $(DEMO_DIR)/data/publish/publication.duckdb and $(DEMO_DIR)/data/publish/downloads/."
	@if [ -n "$(NO_SERVE)" ] && [ "$(NO_SERVE)" != "0" ]; then \
		echo "==> [4/5] Not serving (NO_SERVE=$(NO_SERVE)). To see the site: $(BIN)/recoverylink serve --data-dir $(DEMO_DIR)/data"; \
	else \
		echo "==> [4/5] Serving the website (Ctrl-C to stop)"; \
		$(BIN)/recoverylink serve --data-dir $(DEMO_DIR)/data --host $(DEMO_HOST) --port $(DEMO_PORT); \
	fi
	@echo "==> [5/5] Done."

test: venv
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The website under load: 100 concurrent clients on loopback (see docs/benchmarks.md)
bench-web: venv
	$(BIN)/python bench/web_bench.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) node_modules test-artefacts
