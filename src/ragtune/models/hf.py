"""transformers backend: a hub id, a local folder or a GGUF file, with an optional LoRA adapter."""

from __future__ import annotations

import contextlib
import copy
import functools
import threading

import torch

from ragtune.errors import ModelError
from ragtune.models.base import cut_at_stop


def pick_device(device: str | None) -> str:
    return device or ("cuda" if torch.cuda.is_available() else "cpu")


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AMX tiles or AVX512-BF16, by torch's own probes)."""
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(getattr(torch.cpu, p, lambda: False)() for p in probes)


def pick_dtype(device: str, cpu_bf16: bool = False) -> torch.dtype:
    """bfloat16 on a GPU, and on a CPU that computes it natively when `cpu_bf16` asks for it; else float32. (On this
    project's CPU the 1.5B check model scores 3× faster in it, its doubts within 0.06 of float32's: docs/answers.md.)"""
    if device == "cuda" or (cpu_bf16 and native_bf16()):
        return torch.bfloat16
    return torch.float32


def serialized(method):
    """One call at a time per model, with this view's adapter active: a server's threads and the views made by
    `HFModel.adapted` share the weights (the forward pass uses every core anyway)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.weights():
            return method(self, *args, **kwargs)

    return wrapper


class HFModel:
    """Greedy batched completion with a causal LM from transformers."""

    def __init__(
        self, path: str, name: str, device: str | None = None, adapter: str | None = None, cpu_bf16: bool = False
    ):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = name
        self.raft = False
        self.adapter = "default" if adapter else None  # the PEFT adapter this view answers with
        self._lock = threading.RLock()
        self.device = pick_device(device)
        dtype = pick_dtype(self.device, cpu_bf16)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(self.device)
        except Exception as exc:
            raise ModelError(f"cannot load model '{name}': {exc}") from exc
        if adapter:
            from peft import PeftModel

            self.model = PeftModel.from_pretrained(self.model, adapter)
        self.model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if self.device == "cpu":
            torch.set_num_threads(max(1, torch.get_num_threads()))

    @functools.cached_property
    def parameters(self) -> int:
        """How many weights the model has (its adapters' not counted)."""
        return sum(p.numel() for n, p in self.model.named_parameters() if "lora_" not in n)

    def adapted(self, folder: str, name: str) -> HFModel:
        """This model with a LoRA adapter on top, as a second view: the base weights are shared, not copied.
        Each view's calls run with its own adapter (or none) active."""
        from peft import PeftModel

        with self._lock:
            if isinstance(self.model, PeftModel):
                if name not in self.model.peft_config:
                    self.model.load_adapter(folder, adapter_name=name)
            else:
                self.model = PeftModel.from_pretrained(self.model, folder, adapter_name=name)
            self.model.eval()
        view = copy.copy(self)
        view.adapter = name
        return view

    @contextlib.contextmanager
    def weights(self):
        """The torch module as this view runs it: its adapter set, or every adapter switched off."""
        from peft import PeftModel

        with self._lock:
            if not isinstance(self.model, PeftModel):
                yield self.model
            elif self.adapter is None:
                with self.model.disable_adapter():
                    yield self.model
            else:
                self.model.set_adapter(self.adapter)
                yield self.model

    @serialized
    @torch.inference_mode()
    def complete(
        self,
        prompts: list[str],
        max_new_tokens: int = 64,
        stop: list[str] | None = None,
        chat: bool = False,
        avoid: str | None = None,
    ) -> list[str]:
        """Greedy completions; with `avoid`, the best reply that does not start as `avoid` does."""
        if chat and self.tokenizer.chat_template:
            prompts = [self._chat(p) for p in prompts]
        batch = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=not chat).to(self.device)
        out = self.model.generate(
            **batch,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            stop_strings=stop or None,
            tokenizer=self.tokenizer,
            pad_token_id=self.tokenizer.pad_token_id,
            logits_processor=[self._not_first(avoid, batch["input_ids"].shape[1])] if avoid else None,
        )
        texts = self.tokenizer.batch_decode(out[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)
        return [cut_at_stop(t, stop).strip() for t in texts]

    def _not_first(self, reply: str, start: int):
        """A logits processor that bans the first token of `reply` (any casing, with or without a space) at the
        first generated position."""
        from transformers import LogitsProcessor

        tok = self.tokenizer
        banned = sorted(
            {
                tok(v, add_special_tokens=False).input_ids[0]
                for v in (reply, reply.capitalize(), " " + reply, " " + reply.capitalize())
            }
        )

        class NotFirst(LogitsProcessor):
            def __call__(self, input_ids, scores):
                if input_ids.shape[1] == start:
                    scores[:, banned] = float("-inf")
                return scores

        return NotFirst()

    def _chat(self, prompt: str) -> str:
        return self.tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )

    @serialized
    @torch.inference_mode()
    def score(self, prefix: str, options: list[str], chat: bool = False) -> list[tuple[float, int]]:
        """(summed log-probability, token count) of each option after `prefix` (the prefix is encoded once).
        With `chat`, the prefix is the user's turn and the options are the assistant's reply, as `complete` sees."""
        tok = self.tokenizer
        chat = chat and bool(tok.chat_template)
        lead = "" if chat else " "
        prefix_ids = tok(self._chat(prefix) if chat else prefix, return_tensors="pt", add_special_tokens=not chat)
        prefix_ids = prefix_ids.input_ids.to(self.device)
        out = self.model(prefix_ids, use_cache=True)
        first = torch.log_softmax(out.logits[0, -1].float(), -1)
        ids = [tok(lead + o.strip(), add_special_tokens=False).input_ids or [tok.eos_token_id] for o in options]
        n, width, plen = len(ids), max(map(len, ids)), prefix_ids.shape[1]
        x = torch.full((n, width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros((n, plen + width), dtype=torch.long)
        mask[:, :plen] = 1
        for i, t in enumerate(ids):
            x[i, : len(t)] = torch.tensor(t)
            mask[i, plen : plen + len(t)] = 1
        name = "cache" if "cache" in out else "past_key_values"  # transformers 5.25 renamed it `cache`
        cache = out[name]
        cache.batch_repeat_interleave(n)
        logits = self.model(x.to(self.device), attention_mask=mask.to(self.device), **{name: cache}).logits
        logp = torch.log_softmax(logits.float(), -1)
        scores = []
        for i, t in enumerate(ids):
            total = first[t[0]] + sum(logp[i, k - 1, t[k]] for k in range(1, len(t)))
            scores.append((float(total), len(t)))
        return scores
