# Two commands: `make run` (install, build data if missing, serve) and `make test` (everything).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8501
SCREEN_PORT ?= 8502

.PHONY: install data rebuild run screen lint test test-fast test-browser bench bench-smoke clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

data: install
	$(BIN)/python -m civic build --if-missing

rebuild: install
	$(BIN)/python -m civic build

run: data
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

# The exhibition screen (docs/screen.md): a second server with a dark theme; open
# http://127.0.0.1:$(SCREEN_PORT)/screen?embed=true in Chromium --kiosk.
screen: data
	MALLOC_ARENA_MAX=2 $(BIN)/python -m streamlit run app.py --server.port $(SCREEN_PORT) --theme.base=dark \
		--theme.backgroundColor="#040d22" --theme.secondaryBackgroundColor="#0b1f45" \
		--theme.textColor="#e6f1ff" --theme.primaryColor="#35d0ff"

# Static checks (pyproject.toml): ruff, zero findings. `ruff check --fix` repairs import order and the like.
lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/python -m pytest -q

# No browser, and not the tests marked slow (a representative subset of each runs here; README "Tests").
test-fast: install
	$(BIN)/python -m pytest -q --ignore=tests/browser -m "not slow"

test-browser: install
	$(BIN)/python -m pytest -q tests/browser

# Benchmarks (docs/bench.md): every page at --scale 1 and 100, raw SQL, a pandas baseline, payload, soak.
# Writes bench/results.json and BENCHMARKS.md. Databases are cached in bench/cache/ per generator version.
bench: install
	$(BIN)/python -m civic bench

# The same harness at scale 1 with one sample each: proves it works (CI); timings are not checked.
bench-smoke: install
	$(BIN)/python -m civic bench --smoke

clean:
	rm -rf data/snapshots data/current.json artifacts bench/cache
