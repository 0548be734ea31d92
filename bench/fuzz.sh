#!/usr/bin/env bash
# Longer fuzzing runs than CI's (#29): the whole ingest on generated folders, and the HTTP API from its schema.
#   bash bench/fuzz.sh            # 1,000 ingest examples, 300 per API operation (~40 min on 2 cores)
#   bash bench/fuzz.sh 200 50     # quicker
set -euo pipefail
cd "$(dirname "$0")/.."
RAGTUNE_FUZZ_EXAMPLES="${1:-1000}" python -m pytest -q -p no:cacheprovider tests/ingest/test_fuzz.py
RAGTUNE_FUZZ_EXAMPLES="${2:-300}" python -m pytest -q -p no:cacheprovider tests/serve/test_api_fuzz.py
