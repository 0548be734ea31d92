#!/usr/bin/env bash
# Write scripts/constraints.txt: the exact versions of the environment in .venv, which scripts/install.sh installs
# by default, so that a fresh machine (and CI) gets the set the tests last passed on, not whatever was released
# since. Refresh it after `bash scripts/install.sh --dev --latest` and a green test run.
#   bash scripts/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Exact versions the test suite last passed with (bash scripts/lock.sh; Python $(.venv/bin/python -c 'import sys; print(*sys.version_info[:2], sep=".")'))."
  echo "# scripts/install.sh installs with these constraints; --latest ignores them."
  .venv/bin/python -m pip freeze --exclude-editable 2>/dev/null \
    | grep -v -E '^(#|-e |torch==)' \
    | sed -E 's/^([A-Za-z0-9_.-]+) @ file:.*\/[A-Za-z0-9_.]+-([0-9][^-]*)-[^/]*\.whl.*$/\1==\2/' \
    | grep -E '^[A-Za-z0-9_.-]+==' \
    | LC_ALL=C sort -f
} > scripts/constraints.txt
echo "wrote scripts/constraints.txt ($(grep -vc '^#' scripts/constraints.txt) packages)"
