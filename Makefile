# Layanan Mandiri BPU. Two commands matter: `make run` and `make test`; every other
# target is a step of those two. Each step is a file target, so a second run with
# nothing changed does nothing.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PY := .venv/bin/python
UV := .venv/bin/uv
RASA := .venv-rasa/bin/rasa
RASA_PY := .venv-rasa/bin/python
UV_VERSION := 0.13.9

# Rasa's training data lives in nlu/ and stories/ (PRODUCT.md §9), off Rasa's default
# data/ folder, so every Rasa command gets the paths explicitly.
RASA_DATA := nlu stories
# The NLU components (addons/) import bot/parsing/, and read the office directory.
# The tracker store (addons/tracker_store.py) is loaded by `rasa run`, not trained.
RASA_INPUTS := config.yml domain.yml bot/data/offices.yml \
  $(filter-out addons/tracker_store.py,$(shell find nlu stories addons bot/parsing -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null))
MODEL := models/bpu.tar.gz
SPACY_PIPELINE := build/spacy_id/meta.json

# Rasa must never try the network (no internet here) and TensorFlow is chatty.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

# $(call timed,what,command): run the command and say how long it took.
timed = start=$$(date +%s); $(2); echo "== $(1): $$(( $$(date +%s) - start )) s"

.PHONY: help setup env run run-cluster test lint types unit validate train stories integration browser bench lock clean nlu-check test-reliability bench-cluster

help:
	@echo "make run    start Rasa, the action server and the gateway on 127.0.0.1 (web chat: http://127.0.0.1:8000)"
	@echo "make test   set up, lint, type-check, unit tests, rasa data validate, train, NLU floor, story tests, integration and browser tests"
	@echo "make bench  ours against stock Rasa: NLU, latency, throughput, memory, a turn's profile (var/bench/report.json)"
	@echo "make run-cluster  2 Rasa servers, 2 action servers, 2 gateways behind nginx (PostgreSQL, Redis)"

# --- set-up -----------------------------------------------------------------------

# `env` is what running needs; `setup` adds Debian's Chromium and nginx, which only
# the tests use (the browser tests; the nginx configuration check among the unit
# tests, and the reliability tests): installing them may need root, which `make run`
# must not.
env: .venv/.synced .venv-rasa/.synced $(SPACY_PIPELINE)

setup: env .chromium .nginx

# --compile-bytecode: this Makefile exports PYTHONDONTWRITEBYTECODE (no __pycache__
# in the project), so without it no process could ever cache the libraries' bytecode
# and every start would compile them again. Measured 2026-12-03: importing Rasa, DIET
# and spaCy takes 22.8 CPU s without .pyc files and 7 s with them, for every Rasa
# process (training, each server, each test's server); compiling takes 17 s once.
.venv/.synced: requirements/app.lock .python-version
	@py=$$(scripts/find-python); \
	if [ ! -x $(PY) ]; then "$$py" -m venv .venv; fi; \
	if ! $(UV) --version 2>/dev/null | grep -q "$(UV_VERSION)"; then $(PY) -m pip install -q "uv==$(UV_VERSION)"; fi
	$(UV) pip sync -q --compile-bytecode --python $(PY) --require-hashes requirements/app.lock
	touch $@

.venv-rasa/.synced: requirements/rasa.lock .venv/.synced
	@if [ ! -x $(RASA_PY) ]; then $(UV) venv -q --python "$$(scripts/find-python)" .venv-rasa; fi
	$(UV) pip sync -q --compile-bytecode --python $(RASA_PY) --require-hashes requirements/rasa.lock
	touch $@

$(SPACY_PIPELINE): scripts/build_spacy_pipeline.py .venv-rasa/.synced
	$(RASA_PY) scripts/build_spacy_pipeline.py build/spacy_id

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
.chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi
	touch $@

# Debian's nginx, the load balancer of `make run-cluster` and the reliability tests.
# It runs as our own process with a generated config under var/, never as the system
# service (the package's own service is not needed and is not started by us).
.nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; fi; \
	fi
	touch $@

lock:
	$(UV) pip compile -q --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header requirements/app.in -o requirements/app.lock
	$(UV) pip compile -q --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header requirements/rasa.in -o requirements/rasa.lock

# --- model ------------------------------------------------------------------------

train: $(MODEL)

$(MODEL): $(RASA_INPUTS) $(SPACY_PIPELINE)
	@mkdir -p models var
	start=$$(date +%s); \
	$(RASA) train --quiet --config config.yml --domain domain.yml --data $(RASA_DATA) \
	  --out models --fixed-model-name bpu; \
	echo "training took $$(( $$(date +%s) - start )) s"

# --- checks -----------------------------------------------------------------------

lint: env
	.venv/bin/ruff check bot actions addons tests scripts migrations bench
	.venv/bin/ruff format --check bot actions addons tests scripts migrations bench
	.venv/bin/lint-imports

types: env
	.venv/bin/mypy

unit: env
	$(PY) -m pytest tests/unit -q

validate: env
	$(RASA_PY) scripts/validate_rasa_data.py

# Every test story end to end (tests/e2e): Rasa and the action server run on loopback
# on a fresh store with the demo registry; Rasa reads each `user:` text and the actions
# really run, and the tracker must show the story's intents, actions and slots.
stories: env $(MODEL)
	$(PY) -m pytest tests/e2e -q

# The held-out NLU set (tests/nlu/heldout.yml) against the trained model, with a floor:
# a data change that breaks understanding fails here (scripts/nlu_eval.py).
nlu-check: $(MODEL)
	@mkdir -p var/results
	$(RASA_PY) scripts/nlu_eval.py $(MODEL) --out var/results/nlu-heldout.json --floor

integration: env $(MODEL)
	$(PY) -m pytest tests/integration -q

# A whole cluster (scripts/cluster: nginx, 2 Rasa, 2 action servers, 2 gateways) on
# loopback, with failures injected; each test prints its figures (FIGURES lines).
test-reliability: env .nginx $(MODEL)
	$(PY) -m pytest tests/reliability -q -s

# The staff console in Debian's Chromium (Playwright); screenshots in test-artifacts/.
browser: env .chromium $(MODEL)
	@mkdir -p test-artifacts
	$(PY) -m pytest tests/browser -q

# Every check, in steps, each step's time printed. CI has two cores and the
# training is the longest step, so what needs no model runs beside it, two at a
# time; then the suites that start Rasa (the NLU check is a batch run and goes beside
# the story tests). The integration tests spend most of their time waiting on their
# processes (load average about 1 on two cores), so the browser and reliability
# suites run beside them: each starts its own processes on free loopback ports and
# its own databases, and none asserts a timing.
test:
	@$(MAKE) --no-print-directory setup
	@$(call timed,checks and training,$(MAKE) --no-print-directory -j2 --output-sync=target train lint types unit validate)
	@$(call timed,NLU check and story tests,$(MAKE) --no-print-directory -j2 --output-sync=target nlu-check stories)
	@$(call timed,integration browser and reliability tests,$(MAKE) --no-print-directory -j3 --output-sync=target integration browser test-reliability)

# --- run --------------------------------------------------------------------------

run: env $(MODEL)
	scripts/run

clean:
	rm -rf .venv .venv-rasa build models var/results var/test-logs .rasa .chromium

# --- bench ------------------------------------------------------------------------

# Rasa's SANIC_WORKERS=2 against two Rasa processes behind nginx, 10 participants at
# once through the cluster (var/bench/cluster.json; README: Deployment).
bench-cluster: env .nginx $(MODEL)
	$(PY) -m tests.reliability.bench_cluster

# Ours against Rasa's stock `rasa init` configuration, in one run (bench/__main__.py):
# (a) NLU on the held-out set, (b) the stock model on Rasa's REST channel, (c) our
# whole path (Telegram webhook -> fake Bot API) on SQLite and on PostgreSQL + Redis,
# at 1, 10 and 50 participants, and a profile of one turn. Both models are trained
# into var/bench/models/ and reused while their inputs are unchanged.
# Report: var/bench/report.json.
bench: env
	nice $(PY) -m bench

# --- several of each ----------------------------------------------------------------

# Two Rasa servers, two action servers and two gateways behind nginx, on the local
# PostgreSQL (database bpu_cluster) and Redis (README: Deployment). Ctrl-C stops all.
run-cluster: env .nginx $(MODEL)
	$(PY) -m scripts.cluster
