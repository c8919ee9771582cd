# churnlens developer tasks. `make test` works from a clean clone on Debian 12
# (Python 3.11, Java 17; run as root, or install postgresql first).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Re-install only when the package metadata (or its one C source) changes.
STAMP  := $(VENV)/.churnlens-installed
EXTRAS := test,postgres,spark
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-m 'not spark' -x"`.
PYTEST_ARGS ?=
LINT_PATHS := src tests benchmarks

.PHONY: venv system-deps test demo bench lint clean distclean

venv: $(STAMP)

$(STAMP): pyproject.toml src/churnlens/models/_counting.c
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "make: '$(PYTHON) -m venv' failed; on Debian: apt-get install python3-venv" >&2; \
	  rm -rf $(VENV); exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $@

system-deps:
	scripts/system-deps.sh

# Serial on purpose: with -n 2 each xdist worker starts its own Spark JVM and
# PostgreSQL server, which on 2 cores was slower than one session (see .ci/run).
test: venv system-deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

demo: venv
	$(VENV)/bin/churnlens demo

bench: venv
	$(PY) benchmarks/churn_rate.py --rows 10000000
	$(PY) benchmarks/retention.py --rows 10000000
	$(PY) benchmarks/report.py --rows 1000000

lint: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

clean:
	rm -rf build dist .pytest_cache .hypothesis .ruff_cache .mypy_cache \
	  spark-warehouse metastore_db derby.log .pgdata demo-output
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find src -maxdepth 1 -name '*.egg-info' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
