// The review pages' only script: open citations, verify again, filter lists, follow a live run.
"use strict";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function post(url, body) {
  // Same-origin fetch: the browser sends Origin, which the server checks (CSRF-safe).
  return fetch(url, { method: "POST", body: body || new FormData(), credentials: "same-origin" });
}

function setUpReport(layout) {
  const run = layout.dataset.run;
  const panel = document.getElementById("citation-panel");
  const body = document.getElementById("citation-body");
  layout.addEventListener("click", async (event) => {
    const button = event.target.closest("button.cite");
    if (!button) return;
    const response = await fetch(`/runs/${encodeURIComponent(run)}/citations/${button.dataset.n}`);
    body.innerHTML = response.ok ? await response.text() : `<p class="problem">${response.status}</p>`;
    panel.hidden = false;
    document.querySelectorAll("button.cite.open").forEach((b) => b.classList.remove("open"));
    document.querySelectorAll(`button.cite[data-n="${button.dataset.n}"]`).forEach((b) => b.classList.add("open"));
    const pre = body.querySelector("pre.source-text");
    const mark = pre && pre.querySelector("mark");
    if (mark) pre.scrollTop = Math.max(0, mark.offsetTop - pre.offsetTop - 24);  // only the text box scrolls
  });
  document.getElementById("panel-close").addEventListener("click", () => { panel.hidden = true; });
  const verify = document.getElementById("verify-again");
  verify.addEventListener("click", async () => {
    verify.disabled = true;
    const response = await post(`/runs/${encodeURIComponent(run)}/verify`);
    document.getElementById("verify-result").innerHTML = response.ok ? await response.text()
      : `<p class="problem">verification failed (${response.status})</p>`;
    verify.disabled = false;
  });
}

function setUpSearch(input) {
  const rows = document.querySelectorAll("#runs tbody tr");
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach((row) => { row.hidden = !words.every((w) => row.dataset.search.includes(w)); });
  });
}

function setUpTimeline() {
  document.querySelectorAll("fieldset.filters input").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`#timeline li[data-category="${box.dataset.category}"]`)
        .forEach((li) => { li.hidden = !box.checked; });
    });
  });
}

function setUpLive(live) {
  const run = live.dataset.run;
  const events = document.getElementById("events");
  const sources = document.getElementById("sources");
  const form = document.getElementById("clarify");
  const status = document.getElementById("status");
  let tokens = 0;
  const stream = new EventSource(`/live/${encodeURIComponent(run)}/events`);
  stream.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const item = el("li", { class: `event kind-${event.kind.replace(/\W/g, "-")}` });
    item.append(el("span", { class: "kind" }, event.kind));
    if (event.agent) item.append(el("span", { class: "agent" }, event.agent));
    item.append(el("span", { class: "msg" }, event.message || ""));
    events.append(item);
    item.scrollIntoView({ block: "nearest" });
    if (event.kind === "phase") document.getElementById("phase").textContent = event.message;
    if (event.kind === "llm.call") {
      tokens += (event.data.input_tokens || 0) + (event.data.output_tokens || 0);
      document.getElementById("tokens").textContent = tokens.toLocaleString();
    }
    if (event.kind === "source.found") {
      let host = "local";
      try { host = new URL(event.data.url).host || "local"; } catch (e) { /* a corpus id, not a URL */ }
      const source = el("li", {}, event.data.title || event.data.url);
      source.append(el("span", { class: "host" }, host), el("span", { class: "agent" }, event.agent || ""));
      sources.append(source);
      document.getElementById("source-count").textContent = sources.children.length;
    }
    if (event.kind === "clarify.asked") showQuestions(event.data.questions || []);
    if (event.kind === "run.finished") {
      stream.close();
      status.textContent = "finished";
      window.location.assign(`/runs/${encodeURIComponent(run)}`);
    }
    if (event.kind === "run.failed") {
      stream.close();
      status.textContent = "failed";
      const failed = document.getElementById("failed");
      failed.textContent = event.message;
      failed.hidden = false;
    }
  };

  function showQuestions(questions) {
    const box = document.getElementById("clarify-questions");
    box.replaceChildren();
    questions.forEach((question, index) => {
      const label = el("label", { for: `answer-${index}` }, question);
      const input = el("input", { id: `answer-${index}`, name: "answer", type: "text", placeholder: "leave empty to skip" });
      box.append(label, input);
    });
    status.textContent = "waiting for your answers";
    form.hidden = false;
    form.querySelector("input")?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await post(`/live/${encodeURIComponent(run)}/answers`, new FormData(form));
    if (response.ok) { form.hidden = true; status.textContent = "running"; }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const layout = document.querySelector(".report-layout");
  if (layout) setUpReport(layout);
  const search = document.getElementById("run-search");
  if (search) setUpSearch(search);
  if (document.getElementById("timeline") && document.querySelector("fieldset.filters")) setUpTimeline();
  const live = document.getElementById("live");
  if (live) setUpLive(live);
});
