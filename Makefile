# `make run` and `make test` each do the whole set-up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Run a second time in remote-store mode, each server on a real `oxigraph serve`.
REMOTE_TESTS := tests/test_sparql_protocol.py tests/test_graph_store.py \
	tests/test_linked_data.py tests/test_named_queries.py tests/test_query_api.py \
	tests/test_writes.py tests/test_mappings.py tests/test_limits.py \
	tests/test_void_dumps.py tests/test_validate_endpoint.py tests/test_coverage.py \
	tests/test_home.py tests/test_ontology_page.py tests/test_orgchart.py \
	tests/test_browser.py tests/test_w3c_sparql.py tests/test_query_dataset.py \
	tests/test_changes.py tests/test_time_travel.py

.PHONY: run test build validate lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/srg validate
	$(BIN)/srg serve

build: $(STAMP)
	$(BIN)/srg build

validate: $(STAMP)
	$(BIN)/srg validate

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	./scripts/install-browser.sh
	$(BIN)/pytest
	SRG_TEST_REMOTE=1 $(BIN)/pytest $(REMOTE_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var test-output
