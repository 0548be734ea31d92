"""Would the check's model rewrite follow-up questions better than the rules? (tried in session 24, not shipped)

`generate/conversation.py` makes a follow-up standalone by rules: it carries the entity and the attribute over
from the previous question. With a check (`answer.check`), a 1.5B instruction-tuned model is loaded anyway, and
the issue allows "a model large enough may rewrite the question". This asks it to, for each dev follow-up, given
the previous (standalone) question and the answer it got, as recorded in `wording-dev-check.json`, and writes the
rule's and the model's rewrite side by side. Which of them change what was asked is judged by reading them
(docs/answers.md lists them); the test part is never read.

    python bench/rewrite_llm.py     # ~3 min on 2 cores → bench/results/rewrite-llm-dev.json
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from common import RESULTS, save

from ragtune import Settings

PROMPT = """Rewrite the follow-up question so that it can be understood without the conversation. Keep the \
follow-up's own wording and what it asks; take from the earlier question only the thing or attribute that the \
follow-up leaves out. Reply with the rewritten question only.

Earlier question: {previous}
Answer given: {answer}
Follow-up: {question}
Rewritten question:"""


def main() -> None:
    from ragtune.models.factory import create_llm

    rows = json.loads((RESULTS / "wording-dev-check.json").read_text(encoding="utf-8"))["rows"]
    by_id = {r["id"]: r for r in rows}
    llm = create_llm("qwen2.5-coder-1.5b", Settings(store=Path("/tmp/ragtune-rewrite")), cpu_bf16=True)
    out, t = [], time.perf_counter()
    for r in (r for r in rows if r["turn"] == 2):
        first = by_id[r["id"][:-1] + "1"]
        previous, answer = first["standalone"] or first["question"], (first["answer"] or "")[:200]
        prompt = PROMPT.format(previous=previous, answer=answer, question=r["question"])
        said = llm.complete([prompt], max_new_tokens=40, chat=True, stop=["\n"])[0]
        out.append({"id": r["id"], "question": r["question"], "rules": r["standalone"], "model": said})
        print(f"{r['id']}: {r['question']} | rules: {r['standalone']} | model: {said}", flush=True)
    body = {"command": "python bench/rewrite_llm.py", "seconds": round(time.perf_counter() - t, 1), "rows": out}
    print(f"wrote {save('rewrite-llm-dev', body)}")


if __name__ == "__main__":
    main()
