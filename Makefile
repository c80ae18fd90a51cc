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

.PHONY: install run worker beat test lint format messages translations db demo bench clean

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

demo: db
	$(FLASK) konsey demo

# The web server, and a Celery worker with beat (embedded default: a broker in a
# folder under instance/, no server needed; with REDIS_URL set it uses Redis).
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

bench: install
	$(BIN)/python -m pytest tests/benchmarks -s $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
