# Konsey: `make run` starts the app on the embedded default; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export KONSEY_INSTANCE_PATH ?= $(CURDIR)/instance
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
TRANSLATIONS := platform/konsey/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run worker beat test lint format messages translations db demo bench soak lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(MO_FILES)

db: install
	$(FLASK) db upgrade
	$(FLASK) konsey reindex --if-empty

demo: db
	$(FLASK) konsey demo

# The web server, and a Celery worker with beat (embedded default: a broker in a
# folder under instance/, no server needed; with REDIS_URL set it uses Redis).
# Every emailed link, calendar file and API URL points at the port served here.
run: export KONSEY_BASE_URL ?= http://$(HOST):$(PORT)
run: demo
	@$(FLASK) konsey reminders
	@echo "Konsey is at http://$(HOST):$(PORT)  (data in $(KONSEY_INSTANCE_PATH))"
	@echo "Mail goes to $(KONSEY_INSTANCE_PATH)/mail (admins: Administration > Outbox)."
	@echo "Try a digest now: $(FLASK) konsey digest --now"
	@$(BIN)/celery -A workers worker --beat --loglevel=WARNING --concurrency=2 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/celery -A workers worker --loglevel=INFO

beat: install
	$(BIN)/celery -A workers beat --loglevel=INFO

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# requirements.lock: the exact versions in .venv of everything the runtime and test
# dependencies need (uv resolves pyproject.toml, held to the installed versions).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m pip freeze --exclude-editable | $(BIN)/uv pip compile pyproject.toml \
	  --extra test --constraint - --python $(BIN)/python --annotation-style line \
	  --custom-compile-command "make lock" --quiet -o requirements.lock

# Known vulnerabilities in the locked versions (PyPI's advisory data): fails on any.
# The canary has a published advisory, so no answer for it means the service was not
# reached: that fails too, unless AUDIT_UNREACHABLE=warn (see .ci/run). A finding
# without a fix can be let through with --ignore-vuln ID, with the reason beside it.
LOCK ?= requirements.lock
AUDIT_CANARY := jinja2==2.10
PIP_AUDIT := $(BIN)/pip-audit --vulnerability-service pypi --no-deps --disable-pip \
	--progress-spinner off --aliases on
audit: install
	@printf '%s\n' '$(AUDIT_CANARY)' > $(VENV)/audit-canary.txt
	@if $(PIP_AUDIT) --format json -r $(VENV)/audit-canary.txt 2>/dev/null \
	    | grep -q '"fix_versions"'; then \
	  echo "pip-audit --strict -r $(LOCK)"; $(PIP_AUDIT) --strict -r $(LOCK); \
	else \
	  echo "audit: no answer from PyPI's vulnerability data (nothing found for $(AUDIT_CANARY))"; \
	  if [ "$(AUDIT_UNREACHABLE)" = warn ]; then \
	    echo "audit: WARNING: the dependencies were NOT audited"; else exit 1; fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract every translatable string and merge it into the catalogs.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

# Needs PostgreSQL and Redis on 127.0.0.1 and wrk (apt-get install wrk); figures
# also go to tests/benchmarks/results/latest.json. Knobs: BENCH_SCALE,
# BENCH_DURATION, BENCH_CONNECTIONS (see tests/benchmarks/support.py).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(BIN)/python -m pytest tests/benchmarks -s $(PYTEST_ARGS)

# 8 users for 5 minutes on gunicorn + PostgreSQL + Redis (db 12) + a Celery worker
# + a loopback SMTP server; SOAK_SECONDS=60 for a quick check. Not part of `make test`.
soak: install
	$(BIN)/python tests/benchmarks/soak.py

clean:
	rm -rf $(VENV) instance .pytest_cache
