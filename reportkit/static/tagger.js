// reportkit sentence tagger: the browser half of reportkit/tagger.py (anywidget ESM).
// The DOM is built once per view; trait changes only toggle attributes and text, so a
// label change costs a few attribute writes, not a re-render.

const QUOTE_MARKS = new Set(["“", "”", '"', "‘", "’"]);
const LETTER = /\p{L}/u;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// Quotation marks get a span; ’ between two letters is an apostrophe (Ukraine’s), not a mark.
function isQuoteMark(text, i) {
  const ch = text[i];
  if (!QUOTE_MARKS.has(ch)) return false;
  if (ch === "’" || ch === "‘") {
    return !(LETTER.test(text[i - 1] || "") && LETTER.test(text[i + 1] || ""));
  }
  return true;
}

function renderText(text, cues) {
  const marks = new Array(text.length).fill(false);
  const lower = text.toLowerCase();
  for (const cue of cues || []) {
    const at = lower.indexOf(String(cue).toLowerCase());
    if (at >= 0) for (let i = at; i < at + cue.length; i++) marks[i] = true;
  }
  const frag = document.createDocumentFragment();
  let i = 0;
  while (i < text.length) {
    if (isQuoteMark(text, i)) {
      frag.append(h("span", { class: "rk-qm" }, text[i]));
      i += 1;
      continue;
    }
    let j = i;
    while (j < text.length && marks[j] === marks[i] && !isQuoteMark(text, j)) j++;
    const piece = text.slice(i, j);
    frag.append(marks[i] ? h("mark", { class: "rk-cue", title: "reporting cue" }, piece) : piece);
    i = j;
  }
  return frag;
}

function render({ model, el }) {
  const data = model.get("article_data");
  const labels = data.labels;
  const byShortcut = new Map(labels.map((l) => [l.shortcut, l]));
  const byId = new Map(labels.map((l) => [l.id, l]));
  const rows = new Map(); // sentence id -> {row, text, buttons, fb}
  const order = data.sentences.map((s) => s.id);

  // ---------------------------------------------------------------- skeleton
  const root = h("div", {
    class: "rk-tagger",
    tabindex: "0",
    "data-lm-suppress-shortcuts": "true", // JupyterLab must not read j, k, 1-5 as notebook commands
    "aria-label": `Sentence tagger: ${data.title}`,
  });
  const legend = h("div", { class: "rk-legend", "aria-label": "Labels" });
  for (const l of labels) {
    legend.append(
      h("span", { class: "rk-chip", style: `--rk-c: ${l.color}`, title: l.question },
        h("kbd", {}, l.shortcut), ` ${l.name}`),
    );
  }
  const progress = h("span", { class: "rk-progress", "aria-live": "polite" });
  const filter = h("select", { class: "rk-filter", "aria-label": "Show" },
    h("option", { value: "all" }, "all sentences"),
    h("option", { value: "untagged" }, "untagged"),
    ...labels.map((l) => h("option", { value: l.id }, `${l.id} only`)));
  const undoBtn = h("button", { class: "rk-btn rk-undo", type: "button", title: "Undo the last change (u, Ctrl+Z)" }, "↶ Undo");
  const checkBtn = h("button", {
    class: "rk-btn rk-check", type: "button",
    title: data.has_key ? "Compare your tags with the key (c)" : "No answer key in this copy",
    disabled: !data.has_key,
  }, "Check");
  const toolbar = h("div", { class: "rk-toolbar" }, progress,
    h("label", { class: "rk-filter-label" }, "Show ", filter), undoBtn, checkBtn);
  const help = h("div", { class: "rk-help" },
    "Click a sentence or focus here: j/k or ↓/↑ move, ",
    ...labels.map((l) => `${l.shortcut} ${l.id}, `),
    "0 clears, u undoes, c checks, Esc leaves.");
  const notice = h("div", { class: "rk-notice", role: "alert", hidden: true });
  const noticeText = h("span");
  const noticeClose = h("button", { class: "rk-btn rk-dismiss", type: "button", "aria-label": "Dismiss" }, "×");
  notice.append(noticeText, noticeClose);
  const summary = h("div", { class: "rk-summary", "aria-live": "polite", hidden: true });
  const status = h("div", { class: "rk-status", "aria-live": "polite" });
  const body = h("div", { class: "rk-body" });

  let para = null;
  let lastP = null;
  for (const s of data.sentences) {
    if (s.p !== lastP) {
      para = h("div", { class: "rk-para", "data-p": s.p });
      body.append(para);
      lastP = s.p;
    }
    const text = h("div", { class: "rk-text" }, renderText(s.text, []));
    const group = h("div", { class: "rk-choices", role: "radiogroup", "aria-label": `Label for ${s.id}` });
    const buttons = new Map();
    for (const l of labels) {
      const b = h("button", {
        class: "rk-label", type: "button", role: "radio", "aria-checked": "false",
        "data-label": l.id, style: `--rk-c: ${l.color}`, title: `${l.name} (${l.shortcut}): ${l.question}`,
        tabindex: "-1",
      }, h("span", { class: "rk-tick", "aria-hidden": "true" }, "✓"), h("kbd", {}, l.shortcut), ` ${l.id}`);
      buttons.set(l.id, b);
      group.append(b);
    }
    const clear = h("button", { class: "rk-clear", type: "button", title: "Clear this answer (0)", "aria-label": `Clear ${s.id}`, tabindex: "-1" }, "×");
    group.append(clear);
    const fb = h("div", { class: "rk-fb", hidden: true });
    const main = h("div", { class: "rk-main" }, text, fb);
    const row = h("div", { class: "rk-row", "data-id": s.id },
      h("span", { class: "rk-id" }, s.id), main, group);
    if (s.continues) row.classList.add("rk-continues");
    para.append(row);
    rows.set(s.id, { row, text, buttons, fb, sentence: s });
  }

  // Attribution panel: one element, moved under the selected sentence.
  let attr = null;
  if (data.attribution) attr = buildAttribution();

  root.append(h("div", { class: "rk-head" }, h("div", { class: "rk-title" }, data.title), legend, toolbar, help),
    notice, summary, body, status);
  el.append(root);

  // ---------------------------------------------------------------- model helpers
  const answers = () => model.get("answers") || {};
  // Label changes go to the kernel as discrete messages, not as a synced trait: the widget
  // manager merges rapid trait updates into one, which would merge undo steps too. The kernel
  // applies each change, saves, and syncs `answers` back, which repaints the rows.
  function setLabel(id, label) {
    model.send({ type: "set", id, label: label || null });
  }
  function select(id, scroll = true) {
    if (!id) return;
    model.set("selected", id);
    model.save_changes();
    if (scroll) rows.get(id)?.row.scrollIntoView({ block: "nearest" });
  }
  function visible(id) {
    const f = model.get("filter");
    const lab = answers()[id];
    return f === "all" || (f === "untagged" ? !lab : lab === f);
  }
  function move(step) {
    // Walk in reading order from the selection, skipping rows the filter hides.
    let i = order.indexOf(model.get("selected"));
    if (i < 0) i = step > 0 ? -1 : order.length;
    for (let k = i + step; k >= 0 && k < order.length; k += step) {
      if (visible(order[k])) { select(order[k]); return; }
    }
  }

  // ---------------------------------------------------------------- view updates
  function paintRows() {
    const a = answers();
    const sel = model.get("selected");
    const fbs = model.get("feedback") || {};
    for (const [id, r] of rows) {
      const lab = a[id] || "";
      if (r.row.dataset.label !== lab) {
        r.row.dataset.label = lab;
        r.row.style.setProperty("--rk-c", lab ? byId.get(lab)?.color : "transparent");
        for (const [lid, b] of r.buttons) b.setAttribute("aria-checked", lid === lab ? "true" : "false");
      }
      r.row.classList.toggle("rk-selected", id === sel);
      r.row.hidden = !visible(id);
      const fb = fbs[id];
      r.fb.hidden = !fb;
      if (fb) {
        r.fb.dataset.status = fb.status;
        // The message says right / defensible / "is not"; the icon repeats it without colour.
        const icon = { correct: "✓", accepted: "≈ accepted:", wrong: "✗" }[fb.status] || fb.status;
        r.fb.replaceChildren(h("strong", {}, icon), " ", fb.message.replace(/^s\d+:\s*/, ""));
      }
    }
    if (attr) attr.place(sel);
  }
  function paintCues() {
    const cues = model.get("cues") || {};
    for (const [id, r] of rows) {
      const want = JSON.stringify(cues[id] || []);
      if (r.text.dataset.cues !== want) {
        r.text.dataset.cues = want;
        r.text.replaceChildren(renderText(r.sentence.text, cues[id] || []));
      }
    }
  }
  function paintHead() {
    const a = answers();
    const counts = Object.fromEntries(labels.map((l) => [l.id, 0]));
    for (const v of Object.values(a)) if (v in counts) counts[v] += 1;
    progress.replaceChildren(
      h("strong", {}, `${Object.keys(a).length} of ${order.length} tagged`),
      ...labels.map((l) => h("span", { class: "rk-count", style: `--rk-c: ${l.color}` }, `${l.id} ${counts[l.id]}`)),
    );
    filter.value = model.get("filter");
    undoBtn.disabled = !model.get("can_undo");
    const n = model.get("notice");
    notice.hidden = !n;
    noticeText.textContent = n;
    const s = model.get("summary");
    summary.hidden = !s;
    summary.textContent = s;
    status.textContent = model.get("status");
  }
  const paintAll = () => { paintRows(); paintHead(); };

  // ---------------------------------------------------------------- events
  root.addEventListener("click", (ev) => {
    const row = ev.target.closest(".rk-row");
    const b = ev.target.closest("button");
    if (b === checkBtn) model.send({ type: "check" });
    else if (b === undoBtn) model.send({ type: "undo" });
    else if (b === noticeClose) model.send({ type: "dismiss" });
    if (!row || ev.target.closest(".rk-attr")) return;
    const id = row.dataset.id;
    if (model.get("selected") !== id) select(id, false);
    if (b?.classList.contains("rk-label")) setLabel(id, b.dataset.label);
    else if (b?.classList.contains("rk-clear")) setLabel(id, null);
    // Keep keyboard focus on the widget so j/k/digits work right after a click.
    root.focus({ preventScroll: true });
  });
  filter.addEventListener("change", () => {
    model.set("filter", filter.value);
    model.save_changes();
  });

  root.addEventListener("keydown", (ev) => {
    const inField = ev.target.closest("input, select, textarea");
    const mod = ev.ctrlKey || ev.metaKey;
    if (mod && !ev.altKey && ev.key.toLowerCase() === "z" && !inField) {
      ev.preventDefault(); ev.stopPropagation();
      model.send({ type: "undo" });
      return;
    }
    if (mod) {
      // Ctrl+S and other app shortcuts: hand the key to JupyterLab from outside this widget
      // (data-lm-suppress-shortcuts hides keys inside it from the command registry).
      if (ev.defaultPrevented || ev.__rkForwarded) return;
      ev.preventDefault(); ev.stopPropagation();
      const copy = new KeyboardEvent("keydown", {
        key: ev.key, code: ev.code, keyCode: ev.keyCode, which: ev.which, ctrlKey: ev.ctrlKey,
        metaKey: ev.metaKey, shiftKey: ev.shiftKey, altKey: ev.altKey, bubbles: true, cancelable: true,
      });
      copy.__rkForwarded = true;
      (root.parentElement || document.body).dispatchEvent(copy);
      return;
    }
    ev.stopPropagation(); // no key typed here reaches the notebook
    if (inField || ev.altKey) return;
    const sel = model.get("selected");
    let handled = true;
    if (ev.key === "j" || ev.key === "ArrowDown") move(1);
    else if (ev.key === "k" || ev.key === "ArrowUp") move(-1);
    else if (byShortcut.has(ev.key)) { if (sel) setLabel(sel, byShortcut.get(ev.key).id); else move(1); }
    else if (ev.key === "0" || ev.key === "Backspace" || ev.key === "Delete") { if (sel) setLabel(sel, null); }
    else if (ev.key === "u") model.send({ type: "undo" });
    else if (ev.key === "c") { if (data.has_key) model.send({ type: "check" }); }
    else if (ev.key === "Escape") root.blur();
    else handled = false;
    if (handled) ev.preventDefault();
  });

  // ---------------------------------------------------------------- attribution
  function buildAttribution() {
    const uid = `rk-${Math.random().toString(36).slice(2)}`;
    const srcList = h("datalist", { id: `${uid}-src` }, ...data.sources.map((s) => h("option", { value: s })));
    const chList = h("datalist", { id: `${uid}-ch` }, ...data.channels.map((s) => h("option", { value: s })));
    const source = h("input", { class: "rk-input rk-source", list: `${uid}-src`, placeholder: "who says it? pick or type", "aria-label": "Source" });
    const chain = h("ol", { class: "rk-chain", "aria-label": "Channel" });
    const chInput = h("input", { class: "rk-input rk-channel", list: `${uid}-ch`, placeholder: "add an outlet or person", "aria-label": "Add to channel" });
    const add = h("button", { class: "rk-btn rk-add", type: "button" }, "Add");
    const panel = h("div", { class: "rk-attr" },
      h("label", {}, "Source ", source), srcList,
      h("div", { class: "rk-chain-wrap" }, h("span", {}, "Channel (from the source to this page) "), chain, chInput, add), chList);
    let current = null;
    const get = () => (model.get("attributions") || {})[current] || { source: null, channel: [] };
    // Edits go as operations, not whole values: two quick adds must not overwrite each other
    // while the kernel's update of `attributions` is still on its way.
    source.addEventListener("change", () => model.send({ type: "source", id: current, source: source.value.trim() || null }));
    const addOne = () => {
      const v = chInput.value.trim();
      if (!v) return;
      model.send({ type: "channel_add", id: current, name: v });
      chInput.value = "";
    };
    add.addEventListener("click", addOne);
    chInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); addOne(); } });
    chain.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-i]");
      if (!b) return;
      model.send({ type: "channel_remove", id: current, index: Number(b.dataset.i) });
    });
    return {
      place(id) {
        if (!id || !rows.has(id)) { panel.remove(); current = null; return; }
        current = id;
        const host = rows.get(id).row.querySelector(".rk-main");
        if (panel.parentElement !== host) host.append(panel);
        const v = get();
        if (document.activeElement !== source) source.value = v.source || "";
        chain.replaceChildren(...v.channel.map((c, i) =>
          h("li", {}, c, h("button", { class: "rk-clear", type: "button", "data-i": i, "aria-label": `Remove ${c}` }, "×"))));
      },
    };
  }

  // ---------------------------------------------------------------- wiring
  paintCues();
  paintAll();
  const onRows = () => paintAll();
  const events = ["change:answers", "change:selected", "change:filter", "change:feedback", "change:attributions"];
  for (const e of events) model.on(e, onRows);
  const headEvents = ["change:status", "change:notice", "change:summary", "change:can_undo"];
  for (const e of headEvents) model.on(e, paintHead);
  model.on("change:cues", paintCues);
  return () => {
    for (const e of events) model.off(e, onRows);
    for (const e of headEvents) model.off(e, paintHead);
    model.off("change:cues", paintCues);
  };
}

export default { render };
