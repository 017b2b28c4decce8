# One command each for a fresh machine:
#   make demo   install, migrate SQLite, load demo content, create the demo admin, serve on 127.0.0.1:8000
#               with the webhook and purge worker beside it
#   make test   install, lint, check, and run the whole test suite
#   make fuzz   serve the demo on a throwaway database and fuzz its API against its own OpenAPI document
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# make fuzz: the settings module, and a PostgreSQL database (empty: SQLite in a temporary directory).
FUZZ_SETTINGS ?= config.settings.dev
FUZZ_DATABASE_URL ?=

.PHONY: demo test fuzz install lint check pytest messages compilemessages clean docs

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

# Schemathesis against the served demo (.ci/fuzz): fixed seed, bounded examples and time; non-zero on any failure.
# FUZZ_DATABASE_URL names a throwaway PostgreSQL database (its name must contain "fuzz": it is dropped and
# created). config.settings.production also uses Redis: db 13 of 127.0.0.1:6379 (FUZZ_REDIS_URL), flushed.
# FUZZ_EXAMPLES, FUZZ_SEED and FUZZ_TIMEOUT (seconds) tune the run; `.ci/fuzz --help` lists the options.
fuzz: install
	FUZZ_SETTINGS=$(FUZZ_SETTINGS) FUZZ_DATABASE_URL=$(FUZZ_DATABASE_URL) $(BIN)/python .ci/fuzz $(FUZZ_ARGS)

# Refresh the Latvian and Latgalian catalogues after changing translatable strings; translate, then
# `make compilemessages`. One catalogue for all four apps, shipped in the wheel: cms/locale.
# It also carries wagtail-localize's admin strings, which makemessages (--no-obsolete) drops as they are not in
# this project's source: they are merged back from wagtail-localize's own template (its English catalogue), with
# the translations they had; new upstream strings come in untranslated, removed ones go. Its translation
# editor's JavaScript strings are in cms/locale/djangojs (LOCALE_PATHS), updated from its template the same way.
WAGTAIL_LOCALIZE = $(BIN)/python -c "import pathlib, wagtail_localize; print(pathlib.Path(wagtail_localize.__file__).parent)"

messages: install
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; upstream=$$($(WAGTAIL_LOCALIZE)); \
	msgcat --use-first $$upstream/locale/en/LC_MESSAGES/django.po $$upstream/locales/locale/en/LC_MESSAGES/django.po \
		-o $$tmp/django.pot; \
	for lang in lv ltg; do cp cms/locale/$$lang/LC_MESSAGES/django.po $$tmp/$$lang.po; done; \
	DJANGO_SETTINGS_MODULE=config.settings.messages $(BIN)/python manage.py makemessages -l lv -l ltg \
		--ignore='.venv/*' --ignore='static/*' --ignore='media/*' --ignore='bench/*' --ignore='build/*' \
		--ignore='dist/*' --ignore='tests/*' --no-obsolete; \
	for lang in lv ltg; do \
		po=cms/locale/$$lang/LC_MESSAGES/django.po; js=cms/locale/djangojs/$$lang/LC_MESSAGES/djangojs.po; \
		msgmerge --quiet --no-fuzzy-matching $$tmp/$$lang.po $$tmp/django.pot | msgattrib --no-obsolete -o $$tmp/$$lang-upstream.po; \
		msgcat --use-first $$po $$tmp/$$lang-upstream.po -o $$po; \
		msgmerge --quiet --no-fuzzy-matching $$js $$upstream/locale/en/LC_MESSAGES/djangojs.po | msgattrib --no-obsolete -o $$js; \
	done

compilemessages:
	set -e; for lang in lv ltg; do \
		msgfmt --check -o cms/locale/$$lang/LC_MESSAGES/django.mo cms/locale/$$lang/LC_MESSAGES/django.po; \
		msgfmt --check -o cms/locale/djangojs/$$lang/LC_MESSAGES/djangojs.mo cms/locale/djangojs/$$lang/LC_MESSAGES/djangojs.po; \
	done

clean:
	rm -rf $(VENV) db.sqlite3 .test-media

# The shapes table of docs/api.md is generated from the shape declarations (api.openapi.reference).
docs: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -c "import django; django.setup(); \
		from pathlib import Path; from api.openapi.reference import rewrite; \
		p = Path('docs/api.md'); p.write_text(rewrite(p.read_text()))"
