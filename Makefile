# One command each for a fresh machine:
#   make demo   install, migrate SQLite, load demo content, create the demo admin, serve on 127.0.0.1:8000
#               with the webhook and purge worker beside it
#   make test   install, lint, check, run the whole test suite, then the real-browser journeys (make journeys;
#               Debian's Chromium is installed first when missing: make browser)
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
# make journeys: the Chromium that Playwright drives (Debian's package; Playwright's own download is never used).
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test fuzz install lint check pytest journeys browser deploy-tools bench-tools messages compilemessages clean docs

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

pytest: install browser deploy-tools
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest journeys

# The real-browser journeys (tests/journeys; the plain pytest run leaves them out): the demo served by a real
# server on a free loopback port, Playwright driving Chromium headless through an editor's, the translators' and a
# phone's day. Screenshots of every step and summary.json (steps, outcomes, times) go to build/journeys/.
journeys: install browser
	JOURNEYS_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m journeys tests/journeys $(JOURNEYS_ARGS)

# Debian's Chromium, installed with apt-get when missing (CI runs as root); anyone else is told how.
browser:
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "Chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
		test -x "$(CHROMIUM)" || { echo "still no Chromium at $(CHROMIUM) after apt-get install chromium" >&2; exit 1; }; \
	else \
		echo "The journeys need Chromium at $(CHROMIUM). Install Debian's package as root:" >&2; \
		echo "    sudo apt-get install chromium" >&2; \
		echo "or give another binary: make test CHROMIUM=/path/to/chromium" >&2; \
		exit 1; \
	fi

# The backup and restore test (tests/deploy) runs deploy/backup.sh and deploy/restore.sh: PostgreSQL's client
# programs (pg_dump, pg_restore, psql, createdb) and sqlite3. Installed with apt-get when missing (CI runs as root).
deploy-tools:
	@if command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null \
		&& command -v sqlite3 >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			postgresql-client sqlite3; \
	else \
		echo "The backup and restore test needs PostgreSQL's client programs and sqlite3:" >&2; \
		echo "    sudo apt-get install postgresql-client sqlite3" >&2; \
		exit 1; \
	fi

# What python -m bench.run needs besides the virtualenv: valgrind (callgrind and its client-request headers) and a C
# compiler for the instruction counts, wrk for the load runs. Installed with apt-get when missing (as root).
bench-tools:
	@if command -v valgrind >/dev/null && command -v cc >/dev/null && command -v wrk >/dev/null \
		&& [ -f /usr/include/valgrind/callgrind.h ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			valgrind gcc libc6-dev wrk; \
	else \
		echo "The benchmark needs valgrind, a C compiler and wrk:" >&2; \
		echo "    sudo apt-get install valgrind gcc wrk" >&2; \
		exit 1; \
	fi

# Schemathesis against the served demo (.ci/fuzz): fixed seed, bounded examples and time; non-zero on any failure.
# FUZZ_DATABASE_URL names a throwaway PostgreSQL database (its name must contain "fuzz": it is dropped and
# created). config.settings.production also uses Redis: db 13 of 127.0.0.1:6379 (FUZZ_REDIS_URL), flushed.
# FUZZ_EXAMPLES, FUZZ_SEED and FUZZ_TIMEOUT (seconds) tune the run; `.ci/fuzz --help` lists the options.
fuzz: install
	FUZZ_SETTINGS=$(FUZZ_SETTINGS) FUZZ_DATABASE_URL=$(FUZZ_DATABASE_URL) $(BIN)/python .ci/fuzz $(FUZZ_ARGS)

# Refresh the Latvian and Latgalian catalogues after changing translatable strings; translate, then
# `make compilemessages`. One catalogue for all four apps, shipped in the wheel: cms/locale (JavaScript strings:
# cms/locale/djangojs, which is on LOCALE_PATHS because the admin's and wagtail-localize's JavaScript catalogue
# views read their own app and LOCALE_PATHS only).
# The catalogue also carries the admin strings of every installed Wagtail and wagtail-localize app (their Latvian
# catalogues are incomplete and partly wrong; ours wins). makemessages (--no-obsolete) drops them as they are not
# in this project's source, so they are merged back from each app's own template (its English catalogue) with the
# translations they had: new upstream strings come in untranslated, removed ones go. Latgalian carries
# wagtail-localize's strings in full and Wagtail's where they have been translated (the rest falls back to the
# Latvian catalogue, LANGUAGE_CODE).
# Translations are taken over by exact msgid only (no fuzzy guesses): a changed string comes in untranslated.
# PO_FRAGMENTS=dir: translations of new strings kept in dir/*.lv.po and dir/*.ltg.po (plain PO entries, a header
# is optional) fill the entries that have none; they never replace a translation the catalogue already has.
PO_FRAGMENTS ?=
# The English templates of the installed apps of a top-level package ($1: django or djangojs; $2: wagtail,
# wagtail_localize or django). Django's own include its core catalogue and humanize's, whose naturaltime Wagtail's
# admin uses without the app being installed.
UPSTREAM_TEMPLATES = DJANGO_SETTINGS_MODULE=config.settings.messages $(BIN)/python -c "import importlib, pathlib, \
	sys, django; django.setup(); from django.conf import settings; domain, package = sys.argv[1:]; \
	apps = [app for app in settings.INSTALLED_APPS if app.split('.')[0] == package]; \
	apps += ['django.conf', 'django.contrib.humanize'] if package == 'django' else []; \
	paths = [pathlib.Path(importlib.import_module(app).__file__).parent / 'locale/en/LC_MESSAGES' / (domain + '.po') \
	for app in apps]; print(' '.join(str(path) for path in paths if path.exists()))"

messages: install
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	empty="$$tmp/empty.pot"; printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' > "$$empty"; \
	for domain in django djangojs; do for package in wagtail wagtail_localize django; do \
		templates=$$($(UPSTREAM_TEMPLATES) $$domain $$package); \
		msgcat --use-first "$$empty" $$templates -o "$$tmp/$$package.$$domain.pot"; \
	done; done; \
	for lang in lv ltg; do \
		cp cms/locale/$$lang/LC_MESSAGES/django.po "$$tmp/$$lang.django.po"; \
		cp cms/locale/djangojs/$$lang/LC_MESSAGES/djangojs.po "$$tmp/$$lang.djangojs.po"; \
		compendia=""; \
		for fragment in $(if $(PO_FRAGMENTS),$(PO_FRAGMENTS)/*.$$lang.po); do \
			[ -f "$$fragment" ] || continue; n=$$((n + 1)); \
			if grep -q '^"Content-Type:' "$$fragment"; then cp "$$fragment" "$$tmp/fragment-$$n.$$lang.po"; \
			else { cat "$$empty"; echo; cat "$$fragment"; } > "$$tmp/fragment-$$n.$$lang.po"; fi; \
			compendia="$$compendia --compendium=$$tmp/fragment-$$n.$$lang.po"; \
		done; echo "$$compendia" > "$$tmp/$$lang.compendia"; \
	done; \
	for domain in django djangojs; do \
		DJANGO_SETTINGS_MODULE=config.settings.messages $(BIN)/python manage.py makemessages -d $$domain -l lv -l ltg \
			--ignore='.venv/*' --ignore='static/*' --ignore='media/*' --ignore='bench/*' --ignore='build/*' \
			--ignore='dist/*' --ignore='tests/*' --ignore='node_modules/*' --no-obsolete; \
	done; \
	for lang in lv ltg; do \
		compendia=$$(cat "$$tmp/$$lang.compendia"); \
		for domain in django djangojs; do \
			extracted=cms/locale/$$lang/LC_MESSAGES/$$domain.po; [ -f "$$extracted" ] || cp "$$empty" "$$extracted"; \
			if [ $$domain = django ]; then po=$$extracted; else po=cms/locale/djangojs/$$lang/LC_MESSAGES/djangojs.po; fi; \
			if [ $$lang = lv ]; then full="wagtail wagtail_localize"; partial="django"; \
			else full="wagtail_localize"; partial="wagtail django"; fi; \
			templates="$$extracted"; for package in $$full; do templates="$$templates $$tmp/$$package.$$domain.pot"; done; \
			msgcat --use-first $$templates -o "$$tmp/$$lang.$$domain.pot"; \
			msgmerge --quiet --no-fuzzy-matching $$compendia "$$tmp/$$lang.$$domain.po" "$$tmp/$$lang.$$domain.pot" \
				| msgattrib --no-obsolete -o "$$tmp/$$lang.$$domain.merged.po"; \
			for package in $$partial; do \
				msgmerge --quiet --no-fuzzy-matching $$compendia "$$tmp/$$lang.$$domain.po" "$$tmp/$$package.$$domain.pot" \
					| msgattrib --no-obsolete --translated --no-fuzzy -o "$$tmp/$$lang.$$domain.$$package.po"; \
				msgcat --use-first "$$tmp/$$lang.$$domain.merged.po" "$$tmp/$$lang.$$domain.$$package.po" \
					-o "$$tmp/$$lang.$$domain.merged.po"; \
			done; \
			cp "$$tmp/$$lang.$$domain.merged.po" $$po; \
		done; \
		rm cms/locale/$$lang/LC_MESSAGES/djangojs.po; \
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
