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

# The test extra pulls in every other extra (Ray, Parquet, datatrove, WARC, train) and datasets: their tests run,
# never skip; the train extra (LightGBM) lets tests check the numpy tree predictor and `cleaner train` against it.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
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

# The four gold sets every quality figure covers (see docs/quality.md).
SETS ?= scrapinghub cleaneval dragnet-train wcxb-dev
GOLD = $(foreach set,$(SETS),$(EVAL)/$(set).jsonl.gz)
HELDOUT ?= out/heldout
# The learned parts the package ships. The line scorer (linescore-text) is trained and tested but not
# shipped: held out it gains the text path 0.001 and makes it 2x slower (docs/quality.md).
PARTS ?= pagetype-html pagetype-text blockscore-html blockdrop-html
PART_FLAGS = $(foreach part,$(PARTS),--part $(part))
TRAIN_CACHE ?= out/train-cache

$(VENV)/.installed-train: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[train]'
	touch $@

# The learned parts fitted once per held-out group (a set, or a half of wcxb-dev by domain), so every
# figure `make eval` prints comes from models that never saw the page. Refitted when the gold, the code
# or the rules change (feature rows are cached in TRAIN_CACHE, keyed by the code and rules that made them).
# Skipped, with a note, where `cleaner train` does not exist.
$(HELDOUT)/.trained: $(GOLD) $(shell find cleaner rules -name '*.py' -o -name '*.yaml' 2>/dev/null) $(VENV)/.installed-train
	@if $(BIN)/cleaner train --help >/dev/null 2>&1; then \
	  $(BIN)/cleaner train $(GOLD) --held-out-all $(PART_FLAGS) -o $(HELDOUT) --cache $(TRAIN_CACHE) && touch $@; \
	else echo "make eval: no \`cleaner train\` command: scoring with the shipped models" >&2; fi

# The table of docs/quality.md: both paths on the four sets, the macro average, trafilatura beside them,
# and wcxb-dev per page type; every page's scores go to $(HELDOUT)/eval.json. trafilatura's predictions
# are kept in out/eval-cache (per trafilatura version): a second run costs the cleaner's time alone.
eval: $(HELDOUT)/.trained
	@mkdir -p $(HELDOUT)
	$(BIN)/cleaner eval $(GOLD) --mode both --baseline trafilatura --cache out/eval-cache \
	  $$(test -f $(HELDOUT)/.trained && echo --held-out-models $(HELDOUT)) --json $(HELDOUT)/eval.json $(ARGS)

# The shipped model files in cleaner/models/, fitted on all four gold sets (reproducible: the same bytes each run).
# The block models learn from pages typed by the held-out page-type models, as they meet pages at work.
train: $(HELDOUT)/.trained
	$(BIN)/cleaner train $(GOLD) $(PART_FLAGS) -o cleaner/models --cache $(TRAIN_CACHE) --types-from $(HELDOUT) $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m cleaner.bench --eval-dir $(EVAL) $(ARGS)

clean:
	rm -rf $(VENV) out build dist *.egg-info
