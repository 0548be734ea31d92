#!/usr/bin/env bash
# Run the same user-visible work on one source tree, for comparing two versions of ragtune (a refactor must not
# change answers): the demo, 80 Super Bowl dev questions through four arms, and the structured benchmark.
# Usage: bash bench/behaviour.sh SRC_TREE OUT_DIR   (then: python bench/behaviour.py OLD_OUT NEW_OUT)
# A tree of an older commit: git worktree add /tmp/old REV. ~25 min on 2 cores.
set -euo pipefail
src=$(cd "$1" && pwd); out=$2; mkdir -p "$out"; out=$(cd "$out" && pwd)
data=${RAGTUNE_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data}
cd "$src"; export PYTHONPATH="$src/src"
rm -rf "$out/demo" "$out/sb"
ragtune demo --dir "$out/demo" > "$out/demo.txt" 2> "$out/demo.err"
ragtune --store "$out/sb" eval "$data/squad1-dev-super-bowl-50.json" --ingest-contexts \
  --arms base,rag,ft+rag,oracle --limit 80 --json > "$out/sb.json" 2> "$out/sb.err"
python bench/structured.py > "$out/structured.txt" 2>&1
cp bench/results/structured.json "$out/structured.json"
