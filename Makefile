# Two commands for a newcomer: `make train` (everything, from a fresh clone) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
CONFIG ?= configs/default.yaml
STAMP  := $(VENV)/.installed

.PHONY: install test data base train eval eval-rules bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[test,report]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

data: $(STAMP)
	$(PY) -m model.dataset --config $(CONFIG)

artifacts/base/config.json: | $(STAMP)
	$(PIP) install -q -e '.[base]'
	$(PY) -m model.encoder --out artifacts/base

base: artifacts/base/config.json

train: $(STAMP) artifacts/base/config.json
	$(PY) train.py --config $(CONFIG)

eval-rules: $(STAMP)
	$(PY) -m model.evaluate --rules-only

eval: $(STAMP)
	$(PY) -m model.evaluate --model artifacts/model

bench: $(STAMP)
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.scale
	$(PY) -m benchmarks.long_document

clean:
	rm -rf data/dataset data/cache reports/*.tmp
