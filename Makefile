# Two commands do all the set-up (see README):  make demo   and   make test
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# The browser tests drive Debian's chromium through Python Playwright (never `playwright install`).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup chromium demo lint test contract clean

setup: $(VENV)/.installed

# torch==2.13.0 first: its CPU wheel satisfies the project's torch>=2.2, so nothing
# pulls a multi-GB CUDA build. The demo needs the core dependencies and the torch extra
# (torch, captum); the tests add the dev extra (engines, browser, fuzzing, tooling).
$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[torch]"
	touch $@

$(VENV)/.installed: $(VENV)/.core
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Installs Debian's chromium when it is missing (apt-get, as root or through sudo).
# Without apt-get the browser tests skip locally and fail in CI (where CI is set).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium (apt-get) for the browser tests"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; \
	else \
		echo "warning: $(CHROMIUM) is missing and apt-get is not available; browser tests will skip (fail in CI)"; \
	fi

demo: $(VENV)/.core
	$(VENV)/bin/rai-audit demo --out reports

# ruff (pycodestyle, pyflakes, isort, bugbear, numpy docstrings, bandit) on the code, tests and
# benchmarks (per-file rules in pyproject.toml) and mypy on the
# library; configured in pyproject.toml. `make test` runs them first, so CI fails on either.
lint: setup
	$(VENV)/bin/ruff check audit examples tests benchmarks
	$(VENV)/bin/mypy

test: setup chromium lint
	$(PY) -m pytest

contract: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(PY) ../shared/checks/contract.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
