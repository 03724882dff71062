# `make run` and `make test` each do the whole set-up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs only what serving needs; `make test` adds the test extras.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Run a second time in remote-store mode, each server on a real `oxigraph serve`.
REMOTE_TESTS := tests/test_sparql_protocol.py tests/test_graph_store.py \
	tests/test_linked_data.py tests/test_named_queries.py tests/test_query_api.py \
	tests/test_writes.py tests/test_mappings.py tests/test_limits.py \
	tests/test_void_dumps.py tests/test_validate_endpoint.py tests/test_shape_writes.py \
	tests/test_coverage.py tests/test_home.py tests/test_ontology_page.py tests/test_orgchart.py \
	tests/test_browser.py tests/test_page_languages.py tests/test_w3c_sparql.py \
	tests/test_query_dataset.py tests/test_ldes.py tests/test_changes.py tests/test_time_travel.py \
	tests/test_ldes_remote_rewind.py tests/test_compression.py
# Then on a private OpenLink Virtuoso (tests/virtuoso.py), the files that exercise the store
# adapter's Virtuoso dialect (store/virtuoso.py): the protocol, datasets, the Graph Store,
# writes and the history graph, dumps and VoID, named queries, validation and the event
# stream; the other remote-mode files pass there too but take as long again
# (tests/test_remote_store.py runs on both engines in the main run).
VIRTUOSO_TESTS := tests/test_sparql_protocol.py tests/test_graph_store.py \
	tests/test_query_dataset.py tests/test_named_queries.py tests/test_query_api.py \
	tests/test_writes.py tests/test_void_dumps.py tests/test_validate_endpoint.py \
	tests/test_shape_writes.py tests/test_ldes.py tests/test_ldes_remote_rewind.py

.PHONY: run test build validate lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $(TEST_STAMP)

# One line of the validation report (`make validate` or `srg validate` for the whole), then
# serve. Writes need a token: SRG_WRITE_TOKENS=s3cret make run; another port: SRG_PORT=8001.
run: $(STAMP)
	./scripts/install-system-packages.sh
	$(BIN)/srg validate --format summary
	$(BIN)/srg serve

build: $(STAMP)
	$(BIN)/srg build

validate: $(STAMP)
	$(BIN)/srg validate

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	./scripts/install-browser.sh
	./scripts/install-system-packages.sh --bench
	./scripts/install-virtuoso.sh
	$(BIN)/pytest
	SRG_TEST_REMOTE=1 $(BIN)/pytest $(REMOTE_TESTS)
	SRG_TEST_REMOTE=virtuoso $(BIN)/pytest $(VIRTUOSO_TESTS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var test-output
