# Two commands do all the set-up (see README):  make demo   and   make test
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

.PHONY: setup demo test contract clean

setup: $(VENV)/.installed

# torch==2.13.0 first: its CPU wheel satisfies the project's torch>=2.2, so nothing
# pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: setup
	$(VENV)/bin/rai-audit demo --out reports

test: setup
	$(PY) -m pytest

contract: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(PY) ../shared/checks/contract.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
