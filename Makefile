# Two entry points: `make chat` talks to the bot in the terminal, `make test` runs the tests.
# Each creates the virtual environment and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: $(STAMP)
	$(BIN)/clientcoach chat

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/clientcoach kb check
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
