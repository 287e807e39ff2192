# stepgrad: the course "Understanding Autograd" and the library it runs on.
#
#   make lab     set up, then open the course in JupyterLab (127.0.0.1, behind a token)
#   make test    set up, then run every test: library unit tests and every notebook (nbval)
#
# The set-up (.venv, dependencies, Graphviz's dot, trusted notebooks) runs once; later runs
# reuse it and start in seconds. Editing pyproject.toml makes the next run reinstall.
# `make help` lists the other targets.

PYTHON ?= python3
VENV := .venv
NB ?=
LAB_ARGS ?=
PYTEST_ARGS ?=

INSTALLED := $(VENV)/.stepgrad-installed
SANITIZE := course/nbval_sanitize.cfg
# The course's own notebooks: the ones git tracks (outside a git checkout, all of them).
COURSE_NOTEBOOKS = $(shell git ls-files 'course/*.ipynb' 2>/dev/null || ls course/*.ipynb)
# What `make execute` runs: NB, or every notebook in course/, committed or not.
TO_EXECUTE = $(or $(NB),$(wildcard course/*.ipynb))

# Every command below runs from the project environment, and Jupyter and IPython keep their
# configuration, trust database, settings and history in .jupyter/ inside the project, so
# nothing is registered in the home directory and no global config changes the course.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/.jupyter/data
export IPYTHONDIR := $(CURDIR)/.jupyter/ipython
export JUPYTER_PLATFORM_DIRS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help lab test setup execute bench lint clean matrix test-browser html FORCE

help:
	@echo "make lab        set up and open the course in JupyterLab (LAB_ARGS=... for JupyterLab)"
	@echo "make test       set up and run all tests; one notebook: make test NB=course/01_....ipynb"
	@echo "make execute    re-run every notebook in place and store its outputs (or NB=...)"
	@echo "make bench      run the benchmarks (bench/run.py)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make matrix     library unit tests on Python 3.10 + numpy 1.26 and 3.13 + newest numpy"
	@echo "make test-browser  the course in headless Chromium (tests/browser)"
	@echo "make html       the executed course as a static site in build/html/ (runs nothing)"
	@echo "make clean      remove .venv, .jupyter, .nox and caches (back to a fresh clone)"
	@echo "PYTHON=python3.12 picks the Python that creates .venv (default: python3)"

lab: setup
	python tools/lab.py $(LAB_ARGS)

test: setup
	python -m pytest $(if $(NB),$(NB),tests course) --ignore=tests/browser \
	  --nbval --nbval-current-env --nbval-sanitize-with $(SANITIZE) $(PYTEST_ARGS) \
	  || { status=$$?; if [ $$status -eq 5 ]; then echo "pytest found no tests to run."; \
	       else exit $$status; fi; }

# --- the set-up -------------------------------------------------------------------------
setup: $(INSTALLED)
	@python tools/ensure_dot.py
	@$(if $(COURSE_NOTEBOOKS),jupyter trust $(COURSE_NOTEBOOKS) > /dev/null,true)
	@echo "Set-up ready: $$(python --version), stepgrad installed in $(VENV), course notebooks trusted."

# Checked on every run (quick): .venv is made again when it is broken or PYTHON names another
# version. Make then sees a newer pyvenv.cfg and reinstalls.
$(VENV)/pyvenv.cfg: FORCE
	@$(PYTHON) tools/ensure_venv.py $(VENV)

# Reinstalled when pyproject.toml changes or .venv was made again.
$(INSTALLED): pyproject.toml tools/configure_jupyter.py $(VENV)/pyvenv.cfg
	python -m pip install --editable '.[dev]'
	python tools/configure_jupyter.py
	@touch $@

# --- working on the course --------------------------------------------------------------
# Deterministic re-execution: a fixed kernel from .venv, no timing metadata in the files.
execute: setup
	jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	  $(TO_EXECUTE)
	@python tools/settle_executed_notebooks.py $(TO_EXECUTE)
	@jupyter trust $(TO_EXECUTE) > /dev/null

# The peers the benchmarks compare with (PyTorch's CPU build, micrograd) are the `bench`
# extra of pyproject.toml: installed into .venv for `make bench` only, never for the course.
bench: setup
	python -m pip install --quiet -e '.[bench]'
	python bench/run.py

lint: setup
	ruff check .
	ruff format --check .

# The library's unit tests on the oldest and newest supported Python and numpy (noxfile.py).
# pyenv's shims run only the Pythons named in PYENV_VERSION, so name the two nox needs.
matrix: setup
	python -m pip install --quiet nox
	@if command -v pyenv > /dev/null 2>&1; then \
	   export PYENV_VERSION="$$(pyenv version-name):$$(pyenv latest 3.10 2>/dev/null):$$(pyenv latest 3.13 2>/dev/null)"; \
	 fi; nox

# The browser test (issue 7) lives in tests/browser; it is not part of `make test`.
test-browser: setup
	@if [ -d tests/browser ]; then python -m pytest tests/browser --browser $(PYTEST_ARGS); \
	 else echo "tests/browser is not written yet, so there is no browser test to run."; fi

# The executed course as a static web site (issue 7): stored outputs only, no notebook runs.
html: setup
	python tools/export_html.py

clean:
	rm -rf $(VENV) .jupyter .nox build dist .pytest_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \
	  -o -name .ipynb_checkpoints \) -prune -exec rm -rf {} +
