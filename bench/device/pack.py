"""Pack what a span-reader training run needs on a lent GPU machine into .gpu/ (ignored; carried by `device`).

The shipped reader is a CPU continuation of a GPU run (session 30, `--voiced`); a GPU run from scratch should
include the voiced paragraphs, as below, and be compared with it on dev.

    python bench/train_span.py --records 8000 --confusable 3 --prose 6000 --voiced 3000 --prepare .gpu/p5.json
    gzip -9 .gpu/p5.json && echo "G --from /tmp/p5.json --epochs 4" > .gpu/variants.txt
    python bench/device/pack.py            # .gpu/minilm16.safetensors, .gpu/minilm/, .gpu/run.sh
    # wheels the machine lacks (pydantic & co, this peft), see /work/.library/device/README.md, into .whl/
    # then: device run "bash .gpu/run.sh" with carry [".gpu", ".whl"]; the readers come back as <name>.tar

The machine can carry 64 MiB and MiniLM's weights are 90 MB, so they travel as float16 with only the rows of the
word embedding that the plans' text uses (run.sh rebuilds float32 there: hidden states within 0.003 of the
original). The trained LoRA adapter is applied to the exact float32 weights here.
"""

from __future__ import annotations

import gzip
import inspect
import json
import shutil
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

from ragtune.finetune import span_examples
from ragtune.index.embedders import model_path

GPU = Path(".gpu")
KEY = "embeddings.word_embeddings.weight"
FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]


def used_ids(tok: Tokenizer) -> np.ndarray:
    """Token ids of every plan's questions and contexts, of the words negatives may swap in, and the first 1,000."""
    used = set(range(1000))
    texts = [*span_examples.ANTONYMS, inspect.getsource(span_examples)]
    for plan in GPU.glob("*.json.gz"):
        data = json.loads(gzip.decompress(plan.read_bytes()))
        examples = [e for part in ("train", "extra") for e in data[part]]
        texts += [e["question"] for e in examples] + list({e["context"] for e in examples})
    for enc in tok.encode_batch(texts):
        used.update(enc.ids)
    return np.array(sorted(used), dtype=np.int32)


def main() -> None:
    base = Path(model_path("minilm"))
    weights = load_file(str(base / "model.safetensors"))
    ids = used_ids(Tokenizer.from_file(str(base / "tokenizer.json")))
    out = {k: v.astype(np.float16) for k, v in weights.items() if k != KEY}
    out |= {"__rows__": weights[KEY][ids].astype(np.float16), "__ids__": ids}
    out["__shape__"] = np.array(weights[KEY].shape, dtype=np.int64)
    save_file(out, str(GPU / "minilm16.safetensors"), metadata={"key": KEY})
    (GPU / "minilm").mkdir(exist_ok=True)
    for name in FILES:
        shutil.copy(base / name, GPU / "minilm" / name)
    shutil.copy(Path(__file__).with_name("run.sh"), GPU / "run.sh")
    print(f"{len(ids)} of {weights[KEY].shape[0]} embedding rows → {GPU / 'minilm16.safetensors'}")


if __name__ == "__main__":
    main()
