# One command each for a fresh machine:
#   make demo   install, migrate SQLite, load demo content, create the demo admin, serve on 127.0.0.1:8000
#               with the webhook and purge worker beside it
#   make test   install, lint, check, and run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint check pytest messages compilemessages clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py load_demo_content
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py create_demo_admin
	@echo "Admin: http://$(HOST):$(PORT)/admin/   API: http://$(HOST):$(PORT)/api/v2/pages/"
	@# The worker runs beside the server and stops with it.
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py run_frontend_hooks & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest

# Refresh the Latvian and Latgalian catalogues after changing translatable strings; translate, then
# `make compilemessages`. One catalogue for all four apps, shipped in the wheel: cms/locale.
messages: install
	DJANGO_SETTINGS_MODULE=config.settings.messages $(BIN)/python manage.py makemessages -l lv -l ltg \
		--ignore='.venv/*' --ignore='static/*' --ignore='media/*' --ignore='bench/*' --ignore='build/*' \
		--ignore='dist/*' --no-obsolete

compilemessages:
	for lang in lv ltg; do msgfmt --check -o cms/locale/$$lang/LC_MESSAGES/django.mo cms/locale/$$lang/LC_MESSAGES/django.po; done

clean:
	rm -rf $(VENV) db.sqlite3 .test-media

# The shapes table of docs/api.md is generated from the shape declarations (api.openapi.reference).
docs: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -c "import django; django.setup(); \
		from pathlib import Path; from api.openapi.reference import rewrite; \
		p = Path('docs/api.md'); p.write_text(rewrite(p.read_text()))"
