# Two commands a new user needs: `make run` (the dashboard) and `make test` (the whole test suite).
# `make check` is the quick one while working: the linter, and the tests not marked slow or browser.
PYTHON ?= python3
VENV := .venv
PORT ?= 8501
# Private by default: only this machine can reach the dashboard. HOST=0.0.0.0 shares it on the
# network, which the app allows only with a password (GYMFORM_PASSWORD; README, "Running it for others").
HOST ?= 127.0.0.1
HEADLESS ?= 0
INSTALLED := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: run test check lint browser postgres

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs whenever requirements.txt or the project's metadata change.
$(INSTALLED): requirements.txt pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(INSTALLED)

run: $(INSTALLED)
	$(VENV)/bin/streamlit run app/main.py --server.address $(HOST) --server.port $(PORT) \
		$(if $(filter 1 true yes,$(HEADLESS)),--server.headless true)

# The end-to-end test drives Debian's chromium; as root (CI) it is installed when missing, otherwise
# that test fails saying how to install it.
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; fi

# The history's tests start a throwaway PostgreSQL server of their own (tests/postgres.py); as root (CI)
# PostgreSQL is installed when missing, otherwise those tests are skipped saying how to install it.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; fi

test: $(INSTALLED) browser postgres
	$(VENV)/bin/python -m pytest

# Ruff's rules and their exceptions are in pyproject.toml ([tool.ruff]); `ruff check --fix .` applies
# the safe fixes (import order, pyupgrade).
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

# Seconds rather than minutes: no MediaPipe over rendered clips, no training, no OpenVINO conversion,
# no browser (the markers are described in pyproject.toml).
check: lint
	$(VENV)/bin/python -m pytest -m "not slow and not browser"
