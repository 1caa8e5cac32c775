# Chapter 1 of Deep Learning with Python, measured. `make help` lists the targets.
# Results are real file targets: a repeated or interrupted `make all` redoes only what is
# missing or out of date, and `make -j2 all` runs independent experiments in parallel.

# Both image datasets by default, the book's own first; DATASET=NAME chooses one.
DATASETS ?= mnist fashion_mnist
ifdef DATASET
DATASETS := $(DATASET)
endif
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Extra arguments for every experiment, e.g. ARGS="--data-dir /data --jobs 2". Other sizes or
# seeds (--n-train, --n-test, --seeds) write under results/custom/, never the reference results.
ARGS ?=
# Extra arguments for the search, e.g. TUNE_ARGS="--models rbf_svm dense --jobs 2 --trials 24".
TUNE_ARGS ?=
# Extra arguments for pytest in `make test` and `make test-fast`, e.g. PYTEST_ARGS=--durations=25.
PYTEST_ARGS ?=
# The fast tier: every test but the slow ones and those that need a package registry, a Dask
# cluster or a browser (the markers are declared in pyproject.toml).
FAST_TESTS := not slow and not network and not cluster and not browser

# A search that changed a dataset's chosen configurations touches that dataset's stamp, which
# its experiments depend on: the next `make all` re-runs them (the run cache serves every run
# the change leaves alone). A stamp, not chosen.json itself: a fresh clone checks out
# results/tuning/ after results/<dataset>/, so chosen.json would look newer than every result.
SEARCHED := results/.searched-
EXPERIMENTS := $(sort $(basename $(notdir $(wildcard experiments/[0-9][0-9]_*.py))))
# What an experiment's runs depend on: a change here re-runs the experiment (the run cache
# serves every run whose key is unchanged, so only what really changed is recomputed).
RUN_CODE := $(wildcard mlhistory/*.py) $(foreach layer,data models running results,\
	$(wildcard mlhistory/$(layer)/*.py)) data/checksums.json
# What only judges and draws saved results: a change here re-renders, never re-runs.
RENDER_CODE := $(wildcard mlhistory/judging/*.py mlhistory/reporting/*.py mlhistory/reporting/*/*.py \
	mlhistory/reporting/references/*)
# An experiment's metadata.json is written last, so it marks a finished experiment.
FULL := $(foreach d,$(DATASETS),$(foreach e,$(EXPERIMENTS),results/$(d)/$(e)/metadata.json))
# Experiment 05 gathers the runs of the era experiments 01-04 from the run cache, and the
# later experiments reuse all of those runs, so the order is 01-04, then 05, then 06 on: each
# run is computed once, by the first experiment that asks for it, and found in the cache after.
ERAS := 01_probabilistic 02_early_neural_networks 03_kernel_methods 04_trees_and_boosting
GATHERING := 05_return_of_neural_networks
LATER := $(filter-out $(ERAS) $(GATHERING),$(EXPERIMENTS))
# The smoke run takes the first dataset only.
QUICK_DATASET := $(firstword $(DATASETS))
# Jobs of the smoke run; `make bench` times one against two.
QUICK_JOBS ?= 2

# TensorFlow's start-up chatter (CPU instruction sets, no CUDA driver) hides the progress lines.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.DEFAULT_GOAL := help
.PHONY: help all quick data fetch-data plots report bench test test-fast lint clean \
	experiment tune

help: ## List the targets.
	@echo "Usage: make TARGET [DATASET=NAME]   image datasets: mnist, fashion_mnist (default: both), digits"
	@echo "  (experiment 11 also reads the tables letter, shuttle, satellite, and covertype (needs network))"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-11s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

all: results/runs.csv ## Every experiment at full size on MNIST and Fashion-MNIST (or DATASET), then the report.

# Plots and the report are re-drawn from saved results when a result or the rendering code changes.
# The target is the report's combined runs.csv: of the committed files it comes last in a fresh
# clone's checkout (after mlhistory/ and every results/<dataset>/), so a fresh clone is up to date.
results/runs.csv: $(FULL) $(RENDER_CODE) | $(INSTALLED)
	$(PYTHON) -m mlhistory plots
	$(PYTHON) -m mlhistory judge
	$(PYTHON) -m mlhistory report

quick: | $(INSTALLED) ## Every experiment on a small subset of the first dataset, under results/quick/.
	$(SIDE_BY_SIDE) $(PYTHON) -m mlhistory runs --quick --write --dataset $(QUICK_DATASET) \
		--jobs $(QUICK_JOBS) $(ARGS)
	$(PYTHON) -m mlhistory judge --quick
	$(PYTHON) -m mlhistory report --quick

# The quick runs are small enough that start-up and bookkeeping dominate. So one pool of
# QUICK_JOBS workers computes every run of every experiment into the run cache (each run once,
# the longest first, each worker importing TensorFlow once: mlhistory/running/batch.py), then
# writes each experiment's results from the cache on the same workers, as its script would.
# Both on the thread layout for two runs side by side (one thread per library: two busy threads
# per process would oversubscribe the cores). Full runs keep every core for one experiment:
# their fit times are measurements. The layouts are in mlhistory/running/threads.py.
SIDE_BY_SIDE := MLHISTORY_THREADS=side_by_side

# The data step comes first: it fetches whatever dataset is missing (see data/README.md).
# A tuned run refits the configuration the search saved (`make tune`): a changed choice re-runs
# the experiments of its dataset, and only the runs it changes are recomputed.
define DATASET_RULES
results/$(1)/%/metadata.json: experiments/%.py $$(RUN_CODE) $$(wildcard $(SEARCHED)$(1)) | fetch-data
	$$(PYTHON) experiments/$$*.py --dataset $(1) $$(ARGS)
results/$(1)/$(GATHERING)/metadata.json: $(ERAS:%=results/$(1)/%/metadata.json)
$(LATER:%=results/$(1)/%/metadata.json): results/$(1)/$(GATHERING)/metadata.json
endef
$(foreach d,$(DATASETS),$(eval $(call DATASET_RULES,$(d))))
# Experiment 11 compares the families on the tables as the search chose there, whatever the
# image dataset: a search that changed a table's choices re-runs it on every dataset.
SEARCHED_TABLES := letter shuttle satellite
$(DATASETS:%=results/%/11_modern_landscape/metadata.json): $(wildcard $(SEARCHED_TABLES:%=$(SEARCHED)%))

experiment: | $(INSTALLED) ## One experiment at full size: make experiment NAME=01_probabilistic
	@if [ ! -f "experiments/$(NAME).py" ]; then \
		echo "error: unknown experiment '$(NAME)'; choose one of: $(EXPERIMENTS)" >&2; exit 2; fi
	@$(MAKE) --no-print-directory fetch-data
	for dataset in $(DATASETS); do \
		$(PYTHON) experiments/$(NAME).py --dataset $$dataset $(ARGS) || exit $$?; done

# The search is its own step: `make all` only reads the chosen configurations (committed under
# results/tuning/) and never searches. An interrupted search resumes where it stopped.
tune: fetch-data ## Search every family (24 trials each) on a validation split into results/tuning/; resumes.
	for dataset in $(DATASETS) $(if $(DATASET),,$(SEARCHED_TABLES)); do \
		before=$$(cat results/tuning/$$dataset/chosen.json 2>/dev/null | sha256sum); \
		$(PYTHON) -m mlhistory tune --dataset $$dataset $(TUNE_ARGS) || exit $$?; \
		[ "$$before" = "$$(cat results/tuning/$$dataset/chosen.json 2>/dev/null | sha256sum)" ] \
			|| touch $(SEARCHED)$$dataset; done

data: | $(INSTALLED) ## Fetch and verify every dataset into data/, and print each one's source and checksums.
	$(PYTHON) -m mlhistory data

# The same data step, one line per dataset, before anything that reads data.
fetch-data: | $(INSTALLED)
	@$(PYTHON) -m mlhistory data --brief

plots: | $(INSTALLED) ## Re-draw every plot from saved results (never retrains).
	$(PYTHON) -m mlhistory plots

report: | $(INSTALLED) ## Judge every claim again, then rebuild results/REPORT.md and index.html (never retrains).
	$(PYTHON) -m mlhistory judge
	$(PYTHON) -m mlhistory report

bench: fetch-data ## Measure speed as same-run ratios on a quiet machine (runner, Keras, SVM, threads, bins, make targets) into results/bench/.
	$(PYTHON) -m mlhistory bench --dataset fashion_mnist --suite $(ARGS)
	$(PYTHON) -m mlhistory report

# Every tier, after the lint (a second). The data step comes first, so a fresh clone has every
# dataset the tests read. The tests run in TEST_JOBS processes (pytest-xdist), on the thread
# layout for two runs side by side, as the fast tier (below).
TEST_JOBS ?= 2
test: fetch-data ## Run the whole test suite (and the lint).
	$(VENV)/bin/ruff check mlhistory experiments tests
	$(SIDE_BY_SIDE) $(PYTHON) -m pytest -q -n $(TEST_JOBS) --dist loadgroup $(PYTEST_ARGS) tests

# No data step: the few fast tests that read a real dataset load it from data/, where the
# first of them fetches it when it is missing. One thread per process, as in the quick runs: the
# tests fit on 8x8 digits, where more threads only wait on each other, and the boosters'
# threads spinning on a shared 2-core machine can turn a one-second fit into a minute.
test-fast: | $(INSTALLED) ## Run the fast tests only (offline, within a minute).
	$(SIDE_BY_SIDE) $(PYTHON) -m pytest -q -n $(TEST_JOBS) --dist loadgroup -m "$(FAST_TESTS)" $(PYTEST_ARGS) tests

lint: | $(INSTALLED) ## Check the code with ruff.
	$(VENV)/bin/ruff check mlhistory experiments tests

clean: ## Remove quick results and caches (keeps the committed reference results and .venv).
	rm -rf results/quick .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -exec rm -rf {} +
