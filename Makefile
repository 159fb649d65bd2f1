# Two commands: `make run` (execute every notebook in order, regenerating figures/ and
# data/processed/) and `make test` (lint, unit tests and nbval over every notebook).
# Both bootstrap .venv from the pinned requirements; nothing needs installing by hand.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Deterministic hashing in every process we start (kernels inherit it).
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

CORPUS ?=
OUT ?=
ANNOTATIONS ?=
SIZES ?=

DEV_CORPUS ?= ../shared/dev-corpus

# User-given paths reach Python as single-quoted shell words built from the variable's raw text
# ($(value ...): make expands nothing in it) with each ' written as '\'' : no shell evaluates a
# backtick, $(...) or quote in CORPUS, OUT or ANNOTATIONS, and a quote in a path works.
# $(call arg,--out,VAR) gives --out='<raw value>' (the = form also keeps a leading '-' a value),
# or nothing when VAR is empty.
# They are not exported either: make would expand a command-line value to put it in a recipe's
# environment (running any $(shell ...) in it).
unexport CORPUS OUT ANNOTATIONS SIZES DEV_CORPUS
shq = '$(subst ','\'',$(1))'
arg = $(if $(value $(2)),$(1)=$(call shq,$(value $(2))))

.PHONY: setup run test unit nbval lint report bench models validate clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements-lock.txt 2>&1 \
	  | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	@# The analysis package is used in place: a .pth file puts the project root on sys.path.
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'china_us_news.pth').write_text('$(CURDIR)\n')"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (china-us-news)" >/dev/null
	@touch $(STAMP)

## Execute every notebook in numeric order. CORPUS=path OUT=dir runs on another corpus
## and writes everything under OUT, leaving the committed outputs untouched.
run: $(STAMP)
	$(BIN)/python -m analysis.runner $(call arg,--corpus,CORPUS) $(call arg,--out,OUT) $(call arg,--annotations,ANNOTATIONS)

## Lint, unit tests, the Examples sections of the package (doctest) and nbval (full output
## comparison) in one pytest session.
test: $(STAMP) lint
	$(BIN)/python -m pytest tests analysis notebooks --doctest-modules --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

unit: $(STAMP)
	$(BIN)/python -m pytest tests analysis --doctest-modules

nbval: $(STAMP)
	$(BIN)/python -m pytest notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

lint: $(STAMP)
	$(BIN)/ruff check analysis tests notebooks benchmarks

report: $(STAMP)
	$(BIN)/python -m analysis.report $(call arg,--out,OUT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(if $(value SIZES),--sizes $(foreach s,$(value SIZES),$(call shq,$(s))))

## Refit the committed models from the development corpus (not distributed; DEV_CORPUS=folder).
models: $(STAMP)
	$(BIN)/python -m analysis.tone.devcheck fit $(call arg,--dev-corpus,DEV_CORPUS)

## Score the development corpus's locked test split with the committed models (once per reported
## method; results committed in data/validation/). Never use it to choose or tune anything.
validate: $(STAMP)
	$(BIN)/python -m analysis.tone.devcheck cv $(call arg,--dev-corpus,DEV_CORPUS)
	$(BIN)/python -m analysis.tone.devcheck validate $(call arg,--dev-corpus,DEV_CORPUS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build report
