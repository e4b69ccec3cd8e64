#!/usr/bin/env bash
# Set up everything the tests need, lint, and run the whole suite.
# EVENTSITE_TEST_DATABASE_URL=postgresql://127.0.0.1/test runs it on PostgreSQL.
# pytest-xdist spreads the test files over EVENTSITE_TEST_WORKERS processes (default: the
# machine's cores, at most 4); each has its own PostgreSQL and Redis database (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> lint-imports (contracts in pyproject.toml)"
.venv/bin/lint-imports
echo "==> eslint (eslint.config.mjs)"
npm run --silent lint
echo "==> pytest${EVENTSITE_TEST_DATABASE_URL:+ on $EVENTSITE_TEST_DATABASE_URL}"
cores=$(nproc)
workers=${EVENTSITE_TEST_WORKERS:-$((cores < 4 ? cores : 4))}
.venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
