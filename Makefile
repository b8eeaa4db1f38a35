# Two entry points do all the set-up: `make clean-corpus` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= seeds
OUT ?= out/clean-corpus
JOBS ?=
ARGS ?=
EVAL ?= ../shared/eval

.PHONY: clean-corpus test bench eval train rules-check venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files make re-runs cheap: reinstall only when pyproject.toml changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

# The test extra includes Ray (about 35 s to install): tests/test_ray.py runs a local Ray, never skips;
# the train extra (LightGBM) lets tests check the numpy tree predictor and `cleaner train` against it.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test,warc,ray,train]'
	touch $@

venv: $(VENV)/.installed

# IN_PLACE=1: `cleaner fix` rewrites the files under CORPUS (a pipeline gate: the recipe fails with
# status 1 when anything changed, 2 on error; make itself then exits 2, as it does for any failed recipe).
# It wants CORPUS named on the command line, so a bare `make clean-corpus IN_PLACE=1` never rewrites the seeds.
IN_PLACE ?=

clean-corpus: $(VENV)/.installed
ifneq ($(filter 1 yes true,$(IN_PLACE)),)
	@if [ "$(origin CORPUS)" = "file" ]; then \
	  echo "clean-corpus: IN_PLACE=1 rewrites files; name them: make clean-corpus IN_PLACE=1 CORPUS=DIR" >&2; exit 2; fi
	$(BIN)/cleaner fix $(CORPUS) $(if $(JOBS),-j $(JOBS)) $(ARGS)
else
	$(BIN)/cleaner clean $(CORPUS) -o $(OUT) $(if $(JOBS),-j $(JOBS)) $(ARGS)
endif

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n 2 $(ARGS)

rules-check: $(VENV)/.installed
	$(BIN)/cleaner rules check

eval: $(VENV)/.installed
	for set in scrapinghub cleaneval dragnet-train; do \
	  $(BIN)/cleaner eval $(EVAL)/$$set.jsonl.gz --mode html --baseline trafilatura $(ARGS); \
	  $(BIN)/cleaner eval $(EVAL)/$$set.jsonl.gz --mode text $(ARGS); \
	done

# The shipped model files in cleaner/models/, fitted on all four gold sets (reproducible: the same bytes each run).
GOLD_SETS = $(EVAL)/scrapinghub.jsonl.gz $(EVAL)/cleaneval.jsonl.gz $(EVAL)/dragnet-train.jsonl.gz $(EVAL)/wcxb-dev.jsonl.gz
train: $(VENV)/.installed-test
	$(BIN)/cleaner train $(GOLD_SETS) -o cleaner/models $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m cleaner.bench --eval-dir $(EVAL) $(ARGS)

clean:
	rm -rf $(VENV) out build dist *.egg-info
