# Two commands: `make run` (install, build data if missing, serve) and `make test` (everything).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8501
SCREEN_PORT ?= 8502
PUBLIC_PORT ?= 8503

.PHONY: install data rebuild run serve-lan screen public lint test test-fast test-browser test-cluster bench bench-smoke clean \
	cluster cluster-status cluster-stop

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

# `python -m civic serve` is `streamlit run` after a warm-up (imports, the reader, the map's atlases, compiled
# scripts: civic/app/warm.py), so the first visitor after a restart does not pay for them; its options are
# streamlit's. Binds 127.0.0.1 (.streamlit/config.toml): this machine only.
run: data
	$(BIN)/python -m civic serve app.py --server.port $(PORT)

# The office network (README "给领导用"): binds every interface and prints the URL for a phone.
# Set CIVIC_ADMIN_PASSWORD first; never forward this port to the internet.
serve-lan: data
	$(BIN)/python -m civic lan-url --port $(PORT)
	$(BIN)/python -m civic serve app.py --server.port $(PORT) --server.address 0.0.0.0

# The exhibition screen (docs/screen.md): a second server with a dark theme; open
# http://127.0.0.1:$(SCREEN_PORT)/screen?embed=true in Chromium --kiosk.
# The theme's --theme.* flags come from civic/app/screen/theme.py, its one definition.
screen: data
	MALLOC_ARENA_MAX=2 $(BIN)/python -m civic serve app.py --server.port $(SCREEN_PORT) \
		$$($(BIN)/python -m civic.app.screen.theme)

# The residents' public pages (README "居民公开页"): a separate server that routes only the compound pages and
# their index. It runs from public/, with its own .streamlit/config.toml and no pages/ folder beside it
# (PYTHONPATH: `-m civic` is found one folder up).
public: data
	cd public && PYTHONPATH=.. ../$(BIN)/python -m civic serve app.py --server.port $(PUBLIC_PORT)

# The cluster mode (docs/deploy.md): PostgreSQL (the DuckLake catalog, in cluster/pg), the lake created or
# migrated from the current data, 2 Streamlit replicas following the lake, nginx on CLUSTER_PORT (8080).
# Returns once all are healthy; everything runs in the background until `make cluster-stop`.
CLUSTER_PORT ?= 8080
cluster: data
	$(BIN)/python -m civic cluster start --port $(CLUSTER_PORT)

# JSON: url, lake (the connection string: CIVIC_LAKE), replicas [{port, pid, lake_version}]
cluster-status: install
	@$(BIN)/python -m civic cluster status

cluster-stop: install
	$(BIN)/python -m civic cluster stop

# Static checks (pyproject.toml): ruff and mypy (over civic/), zero findings. `ruff check --fix` repairs
# import order and the like.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest -q

# No browser, no cluster (PostgreSQL, nginx, replicas), and not the tests marked slow (a representative subset of
# each runs here; README "Tests"), on two processes: each test file stays in one worker, so its module fixtures
# (one AppTest render, one build) are made once; tests/conftest.py starts the longest files first. `make test`
# stays in one process: the browser tests start servers and Chromium and are timed by settling.
test-fast: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --ignore=tests/browser \
		--ignore=tests/cluster -m "not slow"

test-browser: install
	$(BIN)/python -m pytest -q tests/browser

test-cluster: install
	$(BIN)/python -m pytest -q tests/cluster

# Benchmarks (docs/bench.md): every page at --scale 1 and 100, raw SQL, a pandas baseline, payload, soak.
# Writes bench/results.json and BENCHMARKS.md. Databases are cached in bench/cache/ per generator version.
bench: install
	$(BIN)/python -m civic bench

# The same harness at scale 1 with one sample each: proves it works (CI); timings are not checked.
bench-smoke: install
	$(BIN)/python -m civic bench --smoke

clean:
	rm -rf data/snapshots data/current.json artifacts bench/cache
