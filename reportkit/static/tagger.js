// reportkit sentence tagger: the browser half of reportkit/tagger.py (anywidget ESM).
// The DOM is built once per view; trait changes only toggle attributes and text, so a
// label change costs a few attribute writes, not a re-render.
// Author mode (data.author) edits the article's key: rows show their review state and a
// panel under the selected sentence edits the entry; the kernel saves every change.

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
  const author = !!data.author;
  // Author mode: labels asked for by a key and not yet in the kernel's `entry`; Enter waits
  // for them, so a quick "2, Enter" confirms the new label with its own suggestion.
  const requested = new Map();

  // ---------------------------------------------------------------- skeleton
  const root = h("div", {
    class: author ? "rk-tagger rk-authoring" : "rk-tagger",
    tabindex: "0",
    "data-lm-suppress-shortcuts": "true", // JupyterLab must not read j, k, 1-5 as notebook commands
    "aria-label": `${author ? "Key author mode" : "Sentence tagger"}: ${data.title}`,
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
    author ? h("option", { value: "unreviewed" }, "unreviewed") : h("option", { value: "untagged" }, "untagged"),
    ...labels.map((l) => h("option", { value: l.id }, `${l.id} only`)));
  const undoBtn = h("button", { class: "rk-btn rk-undo", type: "button", title: "Undo the last change (u, Ctrl+Z)" }, "↶ Undo");
  const checkBtn = h("button", {
    class: "rk-btn rk-check", type: "button",
    title: data.has_key ? "Compare your tags with the key (c)" : "No answer key in this copy",
    disabled: !data.has_key,
    hidden: author,
  }, "Check");
  const toolbar = h("div", { class: "rk-toolbar" }, progress,
    h("label", { class: "rk-filter-label" }, "Show ", filter), undoBtn, checkBtn);
  const help = author
    ? h("div", { class: "rk-help" },
      "Author mode: every change is saved to ", h("code", {}, data.file), " at once. Click a sentence or focus here: ",
      "j/k or ↓/↑ move, ", ...labels.map((l) => `${l.shortcut} ${l.id}, `),
      "Enter confirms and goes to the next unreviewed, n skips to it, r edits the rationale, u undoes, ",
      "Esc leaves a field (and then the widget).")
    : h("div", { class: "rk-help" },
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
    if (!author) {
      const clear = h("button", { class: "rk-clear", type: "button", title: "Clear this answer (0)", "aria-label": `Clear ${s.id}`, tabindex: "-1" }, "×");
      group.append(clear);
    }
    const fb = h("div", { class: "rk-fb", hidden: true });
    const main = h("div", { class: "rk-main" }, text, fb);
    let badge = null;
    let reason = null;
    if (author) {
      badge = h("span", { class: "rk-badge" });
      reason = h("span", { class: "rk-reason" });
      main.append(h("div", { class: "rk-meta" }, badge, reason));
    }
    const row = h("div", { class: "rk-row", "data-id": s.id },
      h("span", { class: "rk-id" }, s.id), main, group);
    if (s.continues) row.classList.add("rk-continues");
    para.append(row);
    rows.set(s.id, { row, text, buttons, fb, badge, reason, sentence: s });
  }

  // Attribution panel (learners) or key panel (author mode): one element, moved under the
  // selected sentence.
  let attr = null;
  if (author) attr = buildAuthor();
  else if (data.attribution) attr = buildAttribution();

  root.append(h("div", { class: "rk-head" }, h("div", { class: "rk-title" }, data.title), legend, toolbar, help),
    notice, summary, body, status);
  el.append(root);

  // ---------------------------------------------------------------- model helpers
  const answers = () => model.get("answers") || {};
  // Label changes go to the kernel as discrete messages, not as a synced trait: the widget
  // manager merges rapid trait updates into one, which would merge undo steps too. The kernel
  // applies each change, saves, and syncs `answers` back, which repaints the rows.
  function setLabel(id, label) {
    if (author && label) requested.set(id, label);
    model.send({ type: "set", id, label: label || null });
  }
  function select(id, scroll = true) {
    if (!id) return;
    model.set("selected", id);
    model.save_changes();
    if (scroll) rows.get(id)?.row.scrollIntoView({ block: "nearest" });
  }
  const review = () => model.get("review") || {};
  function visible(id) {
    const f = model.get("filter");
    const lab = answers()[id];
    if (f === "unreviewed") return review()[id] !== "reviewed";
    return f === "all" || (f === "untagged" ? !lab : lab === f);
  }
  function nextUnreviewed() {
    // Reading order from the selection, wrapping round; null when every entry is reviewed.
    const r = review();
    const i = order.indexOf(model.get("selected"));
    for (let k = 1; k <= order.length; k++) {
      const id = order[(i + k + order.length) % order.length];
      if (r[id] !== "reviewed") return id;
    }
    return null;
  }
  // Confirm goes as one message with the panel's current fields; the kernel checks them
  // (reportkit.authoring.review_entry), saves, and moves the selection when asked to.
  let pendingConfirm = null;
  function confirmSelected() {
    const id = model.get("selected");
    if (!id || !attr) return;
    if (!attr.ready(id)) { pendingConfirm = id; return; } // the entry is still on its way
    pendingConfirm = null;
    model.send({ type: "confirm", id, fields: attr.fields(), advance: true });
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
  const BADGES = {
    reviewed: ["✓", "reviewed"],
    proposed: ["○", "to review"],
    edited: ["✎", "edited, not confirmed"],
  };
  let lastSel = model.get("selected");
  function paintRows() {
    const a = answers();
    const sel = model.get("selected");
    const fbs = model.get("feedback") || {};
    const states = author ? review() : {};
    for (const [id, r] of rows) {
      if (author) {
        const st = states[id] || "proposed";
        if (r.badge.dataset.state !== st) {
          r.badge.dataset.state = st;
          r.row.dataset.review = st;
          const [icon, text] = BADGES[st] || ["?", st];
          r.badge.replaceChildren(h("span", { "aria-hidden": "true" }, icon), ` ${text}`);
        }
        const base = data.baseline?.[id];
        const why = st !== "reviewed" && base
          ? `Baseline${base.label ? ` proposed ${base.label}` : ""}: ${base.reason}` + (base.label && base.label !== a[id] ? " (you changed it)" : "")
          : "";
        if (r.reason.textContent !== why) r.reason.textContent = why;
      }
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
    if (sel !== lastSel) {
      lastSel = sel;
      // Also when the kernel moved the selection (Confirm goes to the next unreviewed).
      const r = rows.get(sel);
      if (r && author) { attr.element.scrollIntoView({ block: "nearest" }); r.row.scrollIntoView({ block: "nearest" }); }
    }
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
    const done = Object.values(review()).filter((v) => v === "reviewed").length;
    progress.replaceChildren(
      h("strong", {}, author ? `${done} of ${order.length} reviewed` : `${Object.keys(a).length} of ${order.length} tagged`),
      ...labels.map((l) => h("span", { class: "rk-count", style: `--rk-c: ${l.color}` }, `${l.id} ${counts[l.id]}`)),
    );
    filter.value = model.get("filter");
    undoBtn.disabled = !model.get("can_undo");
    const n = model.get("notice");
    notice.hidden = !n;
    noticeText.textContent = n;
    const s = model.get("summary");
    summary.hidden = !s;
    if (author && s && s.includes(data.validate)) {
      // The next step, with the command set apart so it can be copied.
      const [before, after] = s.split(data.validate);
      summary.replaceChildren(h("strong", {}, "✓ "), before, h("code", {}, data.validate), after);
    } else {
      summary.textContent = s;
    }
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
    if (author && ev.key === "Enter" && (mod || !inField) && !ev.altKey && !ev.shiftKey
        && !(ev.target.closest("button") && !mod)) {
      // Enter (Ctrl+Enter from a field) confirms; on a focused button Enter clicks it instead.
      ev.preventDefault(); ev.stopPropagation();
      confirmSelected();
      return;
    }
    if (author && inField && ev.key === "Escape") {
      ev.preventDefault(); ev.stopPropagation();
      root.focus({ preventScroll: true }); // the blur saves what was typed (change event)
      return;
    }
    if (mod && !ev.altKey && ev.key.toLowerCase() === "z" && !inField) {
      ev.preventDefault(); ev.stopPropagation();
      model.send({ type: "undo" });
      return;
    }
    if (mod && inField && !ev.altKey && "acvxyz".includes(ev.key.toLowerCase()) && ev.key.length === 1) {
      ev.stopPropagation(); // select all, copy, paste, cut, undo, redo: the text field's own
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
    else if (author && ev.key === "n") { const id = nextUnreviewed(); if (id) select(id); }
    else if (author && ev.key === "r") { if (sel) attr.focusRationale(); }
    else if (author && (ev.key === "0" || ev.key === "Backspace" || ev.key === "Delete")) handled = false;
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

  // ---------------------------------------------------------------- author mode: the key panel
  function buildAuthor() {
    const uid = `rk-${Math.random().toString(36).slice(2)}`;
    const byRule = new Map(data.rules.map((r) => [r.id, r]));
    const labelName = (id) => byId.get(id)?.name || id;
    const field = (name, ...content) => h("div", { class: "rk-a-row" }, h("span", { class: "rk-a-name" }, name), h("div", { class: "rk-a-val" }, ...content));

    // Rationale: the saved one, or a suggestion built from the label's rule (marked as such).
    const rationale = h("textarea", {
      class: "rk-input rk-rationale", rows: "3", "aria-label": "Rationale",
      placeholder: "Why this label? One or two sentences that cite the deciding rule, e.g. “… a reported claim (R1).”",
    });
    const suggested = h("span", { class: "rk-suggested", hidden: true }, "suggested: edit it, or confirm it as it is");

    // Rules: the label's own first (then rules for any label, then the rest), text as tooltip.
    const rulesBox = h("div", { class: "rk-a-rules", role: "group", "aria-label": "Rules" });
    const ruleBoxes = new Map();
    for (const r of data.rules) {
      const input = h("input", { type: "checkbox", value: r.id, "aria-label": `Rule ${r.id}, ${r.title}` });
      const wrap = h("label", { class: "rk-rule", title: `${r.id} (${r.title}): ${r.text}` },
        input, h("b", {}, r.id), h("span", { class: "rk-rule-title" }, ` ${r.title}`));
      ruleBoxes.set(r.id, { wrap, input, rule: r });
    }
    const otherRules = h("span", { class: "rk-a-other" }, "other rules:");
    const rulesHint = h("span", { class: "rk-suggested", hidden: true }, "suggested");

    // Accepted alternatives: a box per other label, and a note once it is ticked.
    const altBox = h("div", { class: "rk-a-alts" });
    const alts = new Map();
    for (const l of labels) {
      const input = h("input", { type: "checkbox", value: l.id, "aria-label": `Also accept ${l.id}` });
      const note = h("input", {
        class: "rk-input rk-note", "aria-label": `Why ${l.id} is defensible`,
        placeholder: `why is ${l.id} defensible? (learners who pick it read this)`,
      });
      const wrap = h("div", { class: "rk-alt", "data-label": l.id, style: `--rk-c: ${l.color}` },
        h("label", { class: "rk-alt-pick" }, input, ` ${l.id}`), note);
      alts.set(l.id, { wrap, input, note });
      altBox.append(wrap);
    }

    // Attribution: as in the learners' panel, plus source type, cue and cue stance.
    const srcList = h("datalist", { id: `${uid}-src` }, ...data.sources.map((s) => h("option", { value: s })));
    const chList = h("datalist", { id: `${uid}-ch` }, ...data.channels.map((s) => h("option", { value: s })));
    const source = h("input", { class: "rk-input rk-source", list: `${uid}-src`, placeholder: "who says it?", "aria-label": "Source" });
    const sourceType = h("select", { class: "rk-select rk-source-type", "aria-label": "Source type" },
      h("option", { value: "" }, "—"), ...data.source_types.map((v) => h("option", { value: v }, v)));
    const cue = h("input", { class: "rk-input rk-cue-input", placeholder: "said, told, according to…", "aria-label": "Cue (words of the sentence)" });
    const stance = h("select", { class: "rk-select rk-stance", "aria-label": "Cue stance" },
      h("option", { value: "" }, "—"), ...data.cue_stances.map((v) => h("option", { value: v.id, title: v.text }, v.id)));
    const chain = h("ol", { class: "rk-chain", "aria-label": "Channel" });
    const chInput = h("input", { class: "rk-input rk-channel", list: `${uid}-ch`, placeholder: "add an outlet or person", "aria-label": "Add to channel" });
    const add = h("button", { class: "rk-btn rk-add", type: "button" }, "Add");

    // Until the entry is reviewed, source, cue and channel are the baseline's guesses: say so.
    const attrHint = h("span", { class: "rk-suggested rk-attr-guess", hidden: true },
      "the baseline's guess: check the source and the channel");
    const error = h("div", { class: "rk-a-error", role: "alert", hidden: true });
    const confirm = h("button", { class: "rk-btn rk-confirm", type: "button", title: "Save this entry as reviewed and go to the next unreviewed sentence (Enter)" }, "✓ Confirm");
    const state = h("span", { class: "rk-a-state", "aria-live": "polite" });
    const panel = h("div", { class: "rk-attr rk-author-panel", role: "group", "aria-label": "Key entry" },
      field("Rationale", rationale, suggested),
      field("Rules", rulesBox, rulesHint),
      field("Also accept", altBox),
      field("Attribution",
        h("label", {}, "source ", source), srcList,
        h("label", {}, "type ", sourceType),
        h("label", {}, "cue ", cue),
        h("label", {}, "stance ", stance), attrHint),
      field("Channel", h("div", { class: "rk-chain-wrap" }, chain, chInput, add), chList),
      error,
      h("div", { class: "rk-a-actions" }, confirm, state,
        h("span", { class: "rk-a-hint" }, "Enter confirms · Ctrl+Enter from a field · Esc back to the sentences")));

    let current = null;
    const touchedRules = new Set(); // sentences whose rule boxes were edited (suggestions no longer apply)
    const pendingAlts = new Map(); // sentence id -> Set of labels ticked but not saved yet (no note)
    let ruleOrderFor = null;
    const entry = () => model.get("entry") || {};
    const loaded = (id) => !!id && entry().id === id;
    const ready = (id) => loaded(id) && (!requested.has(id) || requested.get(id) === entry().label);
    const send = (fields) => { if (loaded(current)) model.send({ type: "draft", id: current, fields }); };
    const focused = (node) => document.activeElement === node;

    function checkedRules() {
      return [...ruleBoxes.values()].filter((b) => b.input.checked).map((b) => b.rule.id);
    }
    function acceptedFromForm(withEmpty) {
      const main = answers()[current];
      const out = [];
      for (const [lid, a] of alts) {
        if (lid === main || !a.input.checked) continue;
        const note = a.note.value.trim();
        if (note || withEmpty) out.push({ label: lid, note });
      }
      return out;
    }
    function attributionFromForm() {
      return {
        source: source.value.trim() || null, source_type: sourceType.value || null,
        cue: cue.value.trim() || null, cue_stance: stance.value || null,
      };
    }

    // Edits are saved as they happen (the kernel writes key.json at once); typing is saved
    // after a short pause, and at once when the field is left or another sentence selected.
    const timers = new Map(); // field -> {id, run, timer}
    function later(name, run) {
      clearTimeout(timers.get(name)?.timer);
      const id = current;
      timers.set(name, { id, run, timer: setTimeout(() => { timers.delete(name); if (id === current) run(); }, 600) });
    }
    function flushAll() {
      for (const [name, t] of [...timers]) { clearTimeout(t.timer); timers.delete(name); if (t.id === current) t.run(); }
    }
    function dropAll() { for (const t of timers.values()) clearTimeout(t.timer); timers.clear(); }
    let rationaleShown = "";
    const saveRationale = () => {
      timers.delete("rationale");
      if (rationale.value !== rationaleShown) { rationaleShown = rationale.value; send({ rationale: rationale.value }); }
    };
    rationale.addEventListener("input", () => { suggested.hidden = true; later("rationale", saveRationale); });
    rationale.addEventListener("change", () => { clearTimeout(timers.get("rationale")?.timer); saveRationale(); });
    rulesBox.addEventListener("change", () => {
      touchedRules.add(current);
      rulesHint.hidden = true;
      send({ rules: checkedRules() });
    });
    altBox.addEventListener("change", (ev) => {
      const wrap = ev.target.closest(".rk-alt");
      if (!wrap) return;
      const lid = wrap.dataset.label;
      const a = alts.get(lid);
      const pending = pendingAlts.get(current) || new Set();
      pendingAlts.set(current, pending);
      if (a.input.checked) pending.add(lid); else pending.delete(lid);
      a.note.hidden = !a.input.checked;
      if (ev.target === a.input && a.input.checked && !a.note.value.trim()) { a.note.focus(); return; }
      send({ accepted: acceptedFromForm(false) });
    });
    altBox.addEventListener("input", (ev) => {
      if (!ev.target.classList.contains("rk-note")) return;
      later("accepted", () => send({ accepted: acceptedFromForm(false) }));
    });
    source.addEventListener("change", () => send({ attribution: { source: source.value.trim() || null } }));
    sourceType.addEventListener("change", () => send({ attribution: { source_type: sourceType.value || null } }));
    cue.addEventListener("change", () => send({ attribution: { cue: cue.value.trim() || null } }));
    stance.addEventListener("change", () => send({ attribution: { cue_stance: stance.value || null } }));
    const addOne = () => {
      const v = chInput.value.trim();
      if (!v || !loaded(current)) return;
      model.send({ type: "channel_add", id: current, name: v });
      chInput.value = "";
    };
    add.addEventListener("click", addOne);
    chInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); ev.stopPropagation(); addOne(); } });
    chain.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-i]");
      if (b) model.send({ type: "channel_remove", id: current, index: Number(b.dataset.i) });
    });
    confirm.addEventListener("click", () => {
      confirmSelected();
      root.focus({ preventScroll: true }); // keys work again at once (j/k, Enter)
    });

    function orderRules(label) {
      if (ruleOrderFor === label) return;
      ruleOrderFor = label;
      const mine = [], any = [], rest = [];
      for (const b of ruleBoxes.values()) {
        (b.rule.label === label ? mine : b.rule.label === "any" ? any : rest).push(b);
        b.wrap.classList.toggle("rk-rule-own", b.rule.label === label || b.rule.label === "any");
      }
      rulesBox.replaceChildren(...mine.map((b) => b.wrap), ...any.map((b) => b.wrap), otherRules, ...rest.map((b) => b.wrap));
    }

    function fill() {
      const e = entry();
      const on = ready(current);
      panel.classList.toggle("rk-loading", !on);
      confirm.disabled = !on;
      if (!on) return;
      if (!timers.has("rationale") && !focused(rationale)) {
        const text = e.placeholder ? e.suggested.rationale : e.rationale;
        rationale.value = text;
        rationaleShown = e.placeholder ? "" : e.rationale; // a suggestion is saved only by Confirm
        suggested.hidden = !(e.placeholder && text);
      }
      orderRules(e.label);
      const useSuggested = !e.rules.length && !touchedRules.has(current) && e.suggested.rules.length > 0;
      const ticked = new Set(useSuggested ? e.suggested.rules : e.rules);
      rulesHint.hidden = !useSuggested;
      for (const b of ruleBoxes.values()) {
        b.input.checked = ticked.has(b.rule.id);
        const off = b.input.checked && b.rule.label !== e.label && b.rule.label !== "any";
        b.wrap.classList.toggle("rk-offlabel", off);
        b.wrap.title = `${b.rule.id} (${b.rule.title}): ${b.rule.text}` + (off ? ` [a rule for ${b.rule.label}, not ${e.label}]` : "");
      }
      const saved = new Map(e.accepted.map((a) => [a.label, a.note]));
      const pending = pendingAlts.get(current) || new Set();
      for (const l of saved.keys()) pending.delete(l);
      for (const [lid, a] of alts) {
        a.wrap.hidden = lid === e.label;
        if (!focused(a.input)) a.input.checked = saved.has(lid) || pending.has(lid);
        if (!focused(a.note)) a.note.value = saved.get(lid) ?? (pending.has(lid) ? a.note.value : "");
        a.note.hidden = !a.input.checked;
      }
      const at = e.attribution;
      attrHint.hidden = !(e.placeholder && (at.source || at.cue));
      if (!focused(source)) source.value = at.source || "";
      if (!focused(sourceType)) sourceType.value = at.source_type || "";
      if (!focused(cue)) cue.value = at.cue || "";
      if (!focused(stance)) stance.value = at.cue_stance || "";
      chain.replaceChildren(...(at.channel || []).map((c, i) =>
        h("li", {}, c, h("button", { class: "rk-clear", type: "button", "data-i": i, "aria-label": `Remove ${c}` }, "×"))));
      error.hidden = !e.error;
      error.textContent = e.error || "";
      state.textContent = e.reviewed ? `✓ ${current} is reviewed (${labelName(e.label)})` : `${current} is not reviewed yet`;
    }

    return {
      element: panel,
      ready,
      fill,
      fields() {
        dropAll(); // Confirm carries every field
        return { rationale: rationale.value, rules: checkedRules(), accepted: acceptedFromForm(true), attribution: attributionFromForm() };
      },
      focusRationale() { rationale.focus(); },
      place(id) {
        if (!id || !rows.has(id)) { panel.remove(); current = null; return; }
        const host = rows.get(id).row; // a grid item spanning the text and label columns
        if (id !== current) {
          flushAll(); // the last words typed go to their own sentence
          current = id;
        }
        if (panel.parentElement !== host) {
          const hadFocus = panel.contains(document.activeElement);
          host.append(panel);
          if (hadFocus) root.focus({ preventScroll: true }); // moving the panel drops focus
        }
        fill();
      },
    };
  }

  // ---------------------------------------------------------------- wiring
  paintCues();
  paintAll();
  const onRows = () => paintAll();
  const events = ["change:answers", "change:selected", "change:filter", "change:feedback", "change:attributions",
    "change:review"];
  for (const e of events) model.on(e, onRows);
  const headEvents = ["change:status", "change:notice", "change:summary", "change:can_undo"];
  for (const e of headEvents) model.on(e, paintHead);
  model.on("change:cues", paintCues);
  const onEntry = () => {
    if (!attr || !author) return;
    const e = model.get("entry") || {};
    if (e.id && (requested.get(e.id) === e.label || e.error)) requested.delete(e.id);
    attr.fill();
    if (pendingConfirm && pendingConfirm === model.get("selected") && attr.ready(pendingConfirm)) confirmSelected();
  };
  model.on("change:entry", onEntry);
  if (author) attr.fill();
  return () => {
    for (const e of events) model.off(e, onRows);
    for (const e of headEvents) model.off(e, paintHead);
    model.off("change:cues", paintCues);
    model.off("change:entry", onEntry);
  };
}

export default { render };
