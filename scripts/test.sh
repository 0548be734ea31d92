#!/usr/bin/env bash
# The test command: install with the dev extras, then run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
python -m ruff check src tests bench
python -m pytest -q -p no:cacheprovider "$@"
