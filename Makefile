# make demo: run the bundled Russia-Ukraine analysis; make test: the whole test suite.
# Both create .venv with a Python >= 3.12 and install everything they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# A Python >= 3.12: PATH first, then pyenv's versions folder.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3 python; do \
	  c=$$(command -v $$p 2>/dev/null) && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; exit 0; }; \
	done; \
	for c in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; exit 0; }; \
	done)

.PHONY: demo test test-slow test-fast bench docs lint clean venv lab bytecode

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: motives needs Python >= 3.12 (PyMC 6 requires it) and none was found on PATH or under ~/.pyenv/versions." >&2; \
	  echo "Install one (e.g. 'pyenv install 3.12' or your system's python3.12 package) or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
	  exit 1; fi
	@echo "using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(PY) --quiet --compile-bytecode -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

# motives' own bytecode, as a pip install of the package writes it (the editable install does not,
# and a machine with PYTHONDONTWRITEBYTECODE set would compile every module in every process);
# only modules changed since the last run are compiled again
bytecode: $(STAMP)
	@$(PY) -m compileall -q src/motives

demo: $(STAMP) bytecode
	$(VENV)/bin/motives check evidence
	$(VENV)/bin/motives posterior evidence --lens hughes
	$(VENV)/bin/motives posterior evidence --lens realist
	$(VENV)/bin/motives run models/baseline.yaml --out results/baseline --force
	$(VENV)/bin/motives sensitivity models/baseline.yaml --out results/sens --force
	$(VENV)/bin/motives report models/baseline.yaml --out results/report --force
	$(VENV)/bin/motives appendix models/baseline.yaml --out results/appendix --force
	@echo "results written to results/baseline, results/sens, results/report and results/appendix (open results/appendix/index.html in a browser)"
	@echo "notebooks: make lab (JupyterLab with this project's kernel)"

# JupyterLab on the notebooks, with a kernel named "motives" that runs this project's environment.
lab: $(STAMP)
	$(PY) -m ipykernel install --prefix $(VENV) --name motives --display-name "Python (motives)" >/dev/null
	$(VENV)/bin/jupyter lab notebooks

# make test: lint, then every test but the long MCMC and cluster checks (marked slow), which make test-slow
# runs; CI (.ci/run) runs both. The split keeps make test well under 15 minutes on 2 cores.
test: lint bytecode
	MPLBACKEND=Agg $(VENV)/bin/python -m pytest -q -n 2 -m "not slow" --durations=40

test-slow: $(STAMP) bytecode
	MPLBACKEND=Agg $(VENV)/bin/python -m pytest -q -n 2 -m slow --durations=20

test-fast: $(STAMP) bytecode
	MPLBACKEND=Agg $(VENV)/bin/python -m pytest -q -n 2 -m "not slow" --durations=40

bench: $(STAMP) bytecode
	$(PY) benchmarks/run.py

docs: $(STAMP)
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

# ruff (the rules in pyproject.toml, complexity included; the formatter at 100 columns) and mypy on the
# package; make test runs it first.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks docs
	$(VENV)/bin/ruff format --check src tests benchmarks docs
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) results build dist .pytest_cache
