# Chapter 1 of Deep Learning with Python, measured. `make help` lists the targets.
# Results are real file targets: a repeated or interrupted `make all` redoes only what is
# missing or out of date, and `make -j2 all` runs independent experiments in parallel.

DATASET ?= fashion_mnist
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Extra arguments for every experiment, e.g. ARGS="--data-dir /data --seeds 0 1".
ARGS ?=

EXPERIMENTS := $(sort $(basename $(notdir $(wildcard experiments/[0-9][0-9]_*.py))))
PACKAGE := $(wildcard mlhistory/*.py) $(wildcard mlhistory/references/*)
# An experiment's metadata.json is written last, so it marks a finished experiment.
FULL := $(foreach e,$(EXPERIMENTS),results/$(DATASET)/$(e)/metadata.json)
# Latest first: once experiment 05 is done, `make -j2 quick` starts the longest ones first.
QUICK := $(foreach e,$(shell printf '%s\n' $(EXPERIMENTS) | sort -r),results/quick/$(DATASET)/$(e)/metadata.json)

# TensorFlow's start-up chatter (CPU instruction sets, no CUDA driver) hides the progress lines.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.DEFAULT_GOAL := help
.PHONY: help all quick quick-results data plots report test lint clean experiment

help: ## List the targets.
	@echo "Usage: make TARGET [DATASET=$(DATASET)]   image datasets: fashion_mnist (offline), mnist (needs network), digits"
	@echo "  (experiment 11 also reads the tables letter, shuttle, satellite (offline) and covertype (needs network))"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-11s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

all: $(FULL) ## Every experiment at full size on DATASET, then the report.
	$(PYTHON) -m mlhistory report

quick: | $(INSTALLED) ## Every experiment on a small subset, under results/quick/ (about 3 minutes).
	$(MAKE) --no-print-directory -j2 --output-sync=target quick-results
	$(PYTHON) -m mlhistory report --quick

# The quick runs are small enough that start-up and bookkeeping dominate, so two experiments
# run at a time, each on one thread (two busy threads per process would oversubscribe the
# cores). Full runs keep every core for one experiment: their fit times are measurements.
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 LOKY_MAX_CPU_COUNT=1 \
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
quick-results: $(QUICK)

results/$(DATASET)/%/metadata.json: experiments/%.py $(PACKAGE) | $(INSTALLED)
	$(PYTHON) experiments/$*.py --dataset $(DATASET) $(ARGS)

results/quick/$(DATASET)/%/metadata.json: experiments/%.py $(PACKAGE) | $(INSTALLED)
	$(ONE_THREAD) $(PYTHON) experiments/$*.py --quick --dataset $(DATASET) $(ARGS)

# Experiment 05 gathers the runs of the era experiments 01-04 from the run cache, and the
# later experiments reuse all of those runs, so the order is 01-04, then 05, then 06 on.
ERAS := 01_probabilistic 02_early_neural_networks 03_kernel_methods 04_trees_and_boosting
GATHERING := 05_return_of_neural_networks
LATER := $(filter-out $(ERAS) $(GATHERING),$(EXPERIMENTS))
results/$(DATASET)/$(GATHERING)/metadata.json: $(ERAS:%=results/$(DATASET)/%/metadata.json)
results/quick/$(DATASET)/$(GATHERING)/metadata.json: $(ERAS:%=results/quick/$(DATASET)/%/metadata.json)
$(LATER:%=results/$(DATASET)/%/metadata.json): results/$(DATASET)/$(GATHERING)/metadata.json
$(LATER:%=results/quick/$(DATASET)/%/metadata.json): results/quick/$(DATASET)/$(GATHERING)/metadata.json

experiment: | $(INSTALLED) ## One experiment at full size: make experiment NAME=01_probabilistic
	@if [ ! -f "experiments/$(NAME).py" ]; then \
		echo "error: unknown experiment '$(NAME)'; choose one of: $(EXPERIMENTS)" >&2; exit 2; fi
	$(PYTHON) experiments/$(NAME).py --dataset $(DATASET) $(ARGS)

data: | $(INSTALLED) ## Locate, fetch and verify the datasets, and print what was found.
	$(PYTHON) -m mlhistory data

plots: | $(INSTALLED) ## Re-draw every plot from saved results (never retrains).
	$(PYTHON) -m mlhistory plots

report: | $(INSTALLED) ## Rebuild results/REPORT.md and results/index.html from saved results.
	$(PYTHON) -m mlhistory report

test: | $(INSTALLED) ## Run the test suite.
	$(PYTHON) -m pytest -q tests

lint: | $(INSTALLED) ## Check the code with ruff.
	$(VENV)/bin/ruff check mlhistory experiments tests

clean: ## Remove quick results and caches (keeps the committed reference results and .venv).
	rm -rf results/quick .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -exec rm -rf {} +
