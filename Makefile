# Two entry points: `make chat` talks to the bot in the terminal, `make test` runs the tests.
# Each creates the virtual environment and installs what it needs on first use: `make chat` only
# the chat's own dependencies (quick), `make test` everything (servers, test tools).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHAT_STAMP := $(VENV)/.installed-chat
# Where `make chat` keeps its conversation: inside this clone, so two clones never share one.
CHAT_STORE ?= $(or $(CLIENTCOACH_STORE),sqlite:///$(CURDIR)/.clientcoach/chat.sqlite3)

# setuptools announces every editable install with an "Editable installation" note (not a
# deprecation): it says nothing a developer of this project needs to act on.
PIP_QUIET := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: chat test lint check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(CHAT_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_QUIET) $(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $(CHAT_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP_QUIET) $(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP) $(CHAT_STAMP)

chat: $(CHAT_STAMP)
	$(BIN)/clientcoach chat --store '$(CHAT_STORE)' $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/clientcoach kb check
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
