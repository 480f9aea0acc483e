# The two commands of the README's quick start:
#   make run Q="your question"   set everything up, then research the question on the embedded defaults
#   make test                    set everything up, then lint, type check and run the test suite
Q ?= How does photosynthesis work?
ARGS ?=
VENV := .venv

.PHONY: run test setup setup-test lint typecheck pytest

run: setup
	@$(VENV)/bin/deepresearch $(ARGS) "$(Q)"

test: setup-test lint typecheck pytest

setup:
	@bash scripts/setup.sh run

setup-test:
	@bash scripts/setup.sh test

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(VENV)/bin/pytest -q -rs --durations=15
