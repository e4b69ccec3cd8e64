#!/usr/bin/env bash
# Set up everything the tests need, lint, and run the whole suite.
# EVENTSITE_TEST_DATABASE_URL=postgresql://127.0.0.1/test runs it on PostgreSQL.
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
.venv/bin/python -m pytest "$@"
