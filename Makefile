# tongchou: `make demo` serves the demo district, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TONGCHOU_ENV ?= demo

.PHONY: demo test lint test-sqlite test-postgres sysdeps install messages bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

sysdeps:
	bash scripts/sysdeps.sh

messages: install
	cd src/tongchou && ../../$(BIN)/python ../../manage.py compilemessages -v0

demo: install sysdeps messages
	mkdir -p var
	$(BIN)/tongchou migrate -v0
	$(BIN)/tongchou demo
	$(BIN)/tongchou serve --host 127.0.0.1 --port 8000

lint: install
	mkdir -p var
	$(BIN)/ruff format --check src $(wildcard bench)
	$(BIN)/ruff check src $(wildcard bench)
	TONGCHOU_ENV=test $(BIN)/tongchou makemigrations --check --dry-run
	TONGCHOU_ENV=production TONGCHOU_SECRET_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	  $(BIN)/tongchou check --deploy --fail-level WARNING

test-sqlite: install messages
	TONGCHOU_ENV=test $(BIN)/pytest -q

test-postgres: install messages
	TONGCHOU_ENV=test bash scripts/with-postgres.sh $(BIN)/pytest -q

test: sysdeps lint test-sqlite test-postgres

# Each bench needs a database of its own: a scratch SQLite under /tmp, never var/.
bench: install
	for name in registry testing tracing; do \
	  scratch=$$(mktemp -d /tmp/tongchou-bench.XXXXXX) && \
	  TONGCHOU_VAR_DIR=$$scratch $(BIN)/tongchou migrate -v0 && \
	  case $$name in \
	    tracing) TONGCHOU_VAR_DIR=$$scratch $(BIN)/tongchou bench tracing --checkins 1000000 ;; \
	    *) TONGCHOU_VAR_DIR=$$scratch $(BIN)/tongchou bench $$name --people 100000 ;; \
	  esac; status=$$?; rm -rf $$scratch; [ $$status -eq 0 ] || exit $$status; \
	done

clean:
	rm -rf var .venv
