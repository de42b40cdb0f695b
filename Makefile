# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run test install migrate messages lint format screenshots check-deploy clean help compile-translations bench

help:
	@echo "make run          set up everything and serve http://127.0.0.1:8000 with a worker and beat"
	@echo "make test         run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)"
	@echo "make lint         ruff check and format check"
	@echo "make screenshots  regenerate the README screenshots in docs/screenshots/"
	@echo "make messages     extract translatable strings into locale/ (needs GNU gettext)"

$(PY):
	$(PYTHON_SYSTEM) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

compile-translations: install
	$(MANAGE) compile_translations

migrate: install
	$(MANAGE) migrate --noinput

run: install compile-translations migrate
	$(MANAGE) seed_demo
	$(PY) scripts/devserver.py

test: install compile-translations
	$(PY) -m pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	$(MANAGE) makemessages --locale id --locale en --ignore ".venv/*" --ignore "var/*" --no-obsolete
	$(MANAGE) makemessages --domain djangojs --locale id --locale en --ignore ".venv/*" --ignore "var/*" --ignore "static/vendor/*" --no-obsolete

screenshots: install compile-translations
	$(PY) scripts/screenshots.py

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=bapas.example.go.id CACHE_URL=redis://127.0.0.1:6379/1 \
	  $(MANAGE) check --deploy --fail-level WARNING

bench: install compile-translations
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/ $(VENV)
