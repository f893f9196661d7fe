# The README's two commands are `make serve` and `make test`; both set up everything from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test bench lint install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/localconnect serve --host 127.0.0.1 --port 4599 --store sqlite --data-dir ./.localconnect

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests bench

clean:
	rm -rf $(VENV) .localconnect .pytest_cache .hypothesis
