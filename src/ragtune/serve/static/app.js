// ragtune's page: ask (one model or two side by side), read cited passages, manage sources, see the latest report.
"use strict";

const $ = (id) => document.getElementById(id);
let apiKey = localStorage.getItem("ragtune-key") || "";
let docs = [];

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  const resp = await fetch(path, Object.assign({}, options, { headers }));
  if (resp.status === 401) {
    $("key-bar").hidden = false;
    throw new Error("this server needs an API key");
  }
  return resp;
}

async function json(path, options) {
  const resp = await api(path, options);
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok && !(body && body.files)) throw new Error((body.error && body.error.message) || `HTTP ${resp.status}`);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function label(model) {
  if (model === "ragtune-rag") return "RAG (retrieval + bundled reader)";
  if (model === "ragtune-base") return "base model, no retrieval";
  if (model.startsWith("ragtune-ft-rag:")) return `adapter ${model.split(":")[1]} + RAG`;
  if (model.startsWith("ragtune-ft:")) return `adapter ${model.split(":")[1]}, no retrieval`;
  return model;
}

async function loadModels() {
  const { data } = await json("/v1/models");
  const ids = data.map((m) => m.id);
  for (const select of [$("model"), $("model-b")]) {
    select.replaceChildren(...ids.map((id) => el("option", { value: id }, label(id))));
  }
  $("model").value = "ragtune-rag";
  const tuned = ids.find((id) => id.startsWith("ragtune-ft-rag:"));
  $("model-b").value = tuned || "ragtune-base";
}

async function loadWho() {
  const who = await json("/whoami");
  const groups = who.admin ? "all documents" : `groups: ${who.groups.join(", ") || "none (public documents only)"}`;
  $("who").textContent = `as ${who.name} · ${groups}`;
}

async function loadDocuments() {
  docs = await json("/documents");
  $("doc-count").textContent = `(${docs.length})`;
  $("status").textContent = `${docs.length} document${docs.length === 1 ? "" : "s"}`;
  $("documents").replaceChildren(
    ...docs.map((d) =>
      el("li", {},
        el("button", { class: "del", title: `Remove ${d.source}`, onclick: () => removeDocument(d) }, "remove"),
        el("div", { class: "src" }, d.source),
        d.groups && d.groups.length ? el("div", { class: "groups small" }, `visible to: ${d.groups.join(", ")}`) : "",
        el("div", { class: "sum" }, d.summary || d.title || ""),
      ),
    ),
  );
}

async function removeDocument(d) {
  if (!confirm(`Remove ${d.source} from the store?`)) return;
  await json(`/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
  await loadDocuments();
}

function markSpan(quote, span) {
  const node = el("blockquote", { id: "passage-quote" });
  const at = span ? quote.toLowerCase().indexOf(span.toLowerCase()) : -1;
  if (at < 0) {
    node.textContent = quote;
  } else {
    node.append(quote.slice(0, at), el("mark", {}, quote.slice(at, at + span.length)), quote.slice(at + span.length));
  }
  return node;
}

function openPassage(cite, span) {
  $("passage-source").textContent = cite.source;
  $("passage-locator").textContent = cite.locator ? `at ${cite.locator}` : "";
  $("passage-quote").replaceWith(markSpan(cite.quote, span));
  const doc = docs.find((d) => d.source === cite.source);
  $("passage-summary").textContent = doc && doc.summary ? `About this document: ${doc.summary}` : "";
  $("passage").showModal();
}

function renderAnswer(model, message, asked) {
  const box = el("div", { class: "answer" + (message.abstained ? " abstained" : ""), "data-model": model });
  box.append(el("div", { class: "model" }, label(model)));
  const text = el("div", { class: "text" });
  const cites = message.citations || [];
  const span = (message.content || "").replace(/\s*\[\d+\]/g, "").trim();
  for (const part of (message.content || "").split(/(\[\d+\])/)) {
    const m = part.match(/^\[(\d+)\]$/);
    const cite = m && cites[Number(m[1]) - 1];
    text.append(cite ? el("button", { class: "cite", title: cite.source, onclick: () => openPassage(cite, span) }, part) : part);
  }
  box.append(text);
  if (message.abstained && message.reason) box.append(el("div", { class: "reason" }, message.reason));
  if (message.standalone_question && message.standalone_question !== asked) {
    box.append(el("div", { class: "standalone" }, `Answered as: ${message.standalone_question}`));
  }
  if (cites.length) {
    box.append(
      el("ol", { class: "cites" },
        ...cites.map((c, i) =>
          el("li", {}, el("button", { onclick: () => openPassage(c, span) }, `[${i + 1}] ${c.source} · ${c.locator}`)),
        ),
      ),
    );
  }
  return box;
}

const conversations = {}; // model → the messages so far: a follow-up is answered with them

async function ask(model, question) {
  const history = conversations[model] || [];
  const body = { model, messages: [...history, { role: "user", content: question }] };
  const reply = await json("/v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const message = reply.choices[0].message;
  conversations[model] = [...body.messages, { role: "assistant", content: message.content }];
  return message;
}

function newConversation() {
  for (const key of Object.keys(conversations)) delete conversations[key];
  $("answers").replaceChildren();
  $("empty-hint").hidden = false;
}

async function onAsk(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const models = [$("model").value];
  if ($("compare").checked && $("model-b").value !== models[0]) models.push($("model-b").value);
  $("ask").disabled = true;
  $("empty-hint").hidden = true;
  const pair = el("div", { class: "pair" });
  const turn = el("div", { class: "turn" }, el("div", { class: "q" }, question), pair);
  $("answers").prepend(turn);
  try {
    const answers = await Promise.all(models.map((m) => ask(m, question).catch((e) => ({ content: `error: ${e.message}`, abstained: true }))));
    answers.forEach((a, i) => pair.append(renderAnswer(models[i], a, question)));
  } finally {
    $("ask").disabled = false;
  }
}

async function onUpload(event) {
  event.preventDefault();
  const files = $("files").files;
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  if ($("replace").checked) form.append("replace", "true");
  if ($("upload-groups").value.trim()) form.append("groups", $("upload-groups").value.trim());
  $("upload").disabled = true;
  $("upload").textContent = "Ingesting…";
  try {
    const result = await json("/ingest", { method: "POST", body: form });
    $("upload-results").replaceChildren(
      ...result.files.map((r) => {
        const ok = ["ingested", "updated", "unchanged", "regrouped"].includes(r.status);
        const hint = r.status === "conflict" ? " (tick “replace a stored file of the same name” to replace it)" : "";
        const why = r.reason ? `: ${r.reason}${hint}` : r.warnings && r.warnings.length ? ` (${r.warnings.join("; ")})` : "";
        return el("li", { class: ok ? "ok" : "bad" }, `${r.file}: ${r.status}${why}`);
      }),
    );
    $("files").value = "";
    await loadDocuments();
  } catch (e) {
    $("upload-results").replaceChildren(el("li", { class: "bad" }, e.message));
  } finally {
    $("upload").disabled = false;
    $("upload").textContent = "Upload";
  }
}

async function showReport() {
  const resp = await api("/report");
  $("report-missing").hidden = resp.ok;
  $("report-frame").hidden = !resp.ok;
  if (resp.ok) $("report-frame").srcdoc = await resp.text();
}

async function onCompare(event) {
  event.preventDefault();
  const form = new FormData();
  const log = $("compare-log").files[0];
  if (log) form.append("log", log);
  $("compare-start").disabled = true;
  $("compare-verdict").textContent = "";
  $("compare-steps").replaceChildren(el("li", {}, "starting…"));
  try {
    const resp = await api("/compare", { method: "POST", body: form });
    const job = await resp.json();
    if (!resp.ok) throw new Error(job.error?.message || job.detail || resp.statusText);
    await followCompare(job.id);
  } catch (e) {
    $("compare-steps").replaceChildren(el("li", { class: "bad" }, e.message));
  } finally {
    $("compare-start").disabled = false;
  }
}

async function followCompare(id) {
  for (;;) {
    const job = await (await api(`/compare/${id}`)).json();
    $("compare-steps").replaceChildren(...job.steps.map((s) => el("li", {}, `${s.step} (${s.at_s} s)`)));
    if (job.status === "failed") throw new Error(job.error);
    if (job.status === "done") {
      $("compare-verdict").textContent = `Verdict: ${job.verdict.verdict} — see the report below.`;
      await showReport();
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function showTab(name) {
  $("tab-chat").classList.toggle("active", name === "chat");
  $("tab-report").classList.toggle("active", name === "report");
  $("chat-view").hidden = name !== "chat";
  $("report-view").hidden = name !== "report";
  if (name === "report") showReport();
}

async function start() {
  try {
    await Promise.all([loadWho(), loadModels(), loadDocuments()]);
  } catch (e) {
    $("status").textContent = e.message;
  }
}

$("ask-form").addEventListener("submit", onAsk);
$("upload-form").addEventListener("submit", onUpload);
$("compare-form").addEventListener("submit", onCompare);
$("new-conversation").addEventListener("click", newConversation);
$("compare").addEventListener("change", () => ($("model-b").disabled = !$("compare").checked));
$("tab-chat").addEventListener("click", () => showTab("chat"));
$("tab-report").addEventListener("click", () => showTab("report"));
$("change-key").addEventListener("click", () => {
  $("key-bar").hidden = false;
  $("api-key").focus();
});
$("save-key").addEventListener("click", () => {
  apiKey = $("api-key").value.trim();
  localStorage.setItem("ragtune-key", apiKey);
  $("key-bar").hidden = true;
  start();
});
start();
