# Everything a newcomer needs: `make run` opens the board, `make test` runs the suite.
# Both create .venv from pyproject.toml on first use (Python 3.11 or newer).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run demo install test lint bench clean

run: $(VENV)/.run-installed
	$(BIN)/pipeline-tui

demo: $(VENV)/.run-installed
	$(BIN)/pipeline-tui --demo

# pipeline-tui on your PATH, without root: pipx if you have it, else pip install --user
# (or, for a Python the system manages, a private venv linked from ~/.local/bin).
install:
	@test -n "$(PYTHON)" || { echo "pipeline-tui needs Python 3.11 or newer (python3.11+ not found on PATH)." >&2; exit 1; }
	scripts/install.sh "$(PYTHON)"

# The suite runs under a throwaway PostgreSQL server (scripts/with-postgres.sh), so the
# store and service tests run on SQLite and on PostgreSQL, with tmux and sshd for the
# end-to-end tests (scripts/install-test-packages.sh installs what is missing). Its
# tests spend much of their time waiting on the app, so pytest-xdist runs them in
# TEST_WORKERS processes, more than there are cores; each process has its own databases.
# The tests start the app in a hundred or so subprocesses. Where PYTHONDONTWRITEBYTECODE
# is set (as in some CI images) each would compile pipeline_tui from source again, about
# 0.15 s of CPU: its bytecode is compiled once, before the workers start, and kept in the
# git-ignored __pycache__ folders, as any run of the app would.
# The apps the tests drive in-process draw up to 1,000 frames a second instead of 60:
# a test waits for each repaint, and at 60 the whole suite took 250 s on two cores
# instead of 234 s.
# The programs the tests start run at the rep's 60 (tests/conftest.py).
TEST_WORKERS ?= 4

test: $(VENV)/.test-installed lint
	scripts/install-test-packages.sh
	$(BIN)/python -m compileall -q src
	env -u PYTHONDONTWRITEBYTECODE TEXTUAL_FPS=1000 \
		scripts/with-postgres.sh $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# The benchmark (bench/README.md): builds and caches databases of 1,000 to 100,000 cards
# on first use, then prints figures against the design's budgets, in a real terminal
# (pty) and headless, on SQLite and on a throwaway PostgreSQL server. Each run is kept
# in bench/results/; `make bench COMPARE=bench/results/<earlier>.json` shows what changed.
bench: $(VENV)/.run-installed
	scripts/with-postgres.sh $(BIN)/python -m bench.run $(if $(COMPARE),--compare $(COMPARE)) $(BENCH_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

$(VENV)/.created:
	@test -n "$(PYTHON)" || { echo "pipeline-tui needs Python 3.11 or newer (python3.11+ not found on PATH)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.run-installed: $(VENV)/.created pyproject.toml
	scripts/venv-install.sh $(VENV) -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.created pyproject.toml
	scripts/venv-install.sh $(VENV) -e '.[test]'
	touch $@ $(VENV)/.run-installed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
