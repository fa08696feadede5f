// reportkit sentence tagger, shared part: rows, keys, status, acknowledged saves (anywidget ESM).
// reportkit/tagger_base.py concatenates this file with one mode file (tagger_learner.js or
// tagger_author.js) into one ES module; no build step. The DOM is built once per view; trait
// changes only toggle attributes and text, so a label change costs a few attribute writes.
// Every message to the kernel carries a sequence number and waits for the kernel's ack: the
// widget says "saved" only then, and shows a banner when no ack comes (kernel gone or stuck).

/**
 * @typedef {{id: string, p: number, text: string, continues: string | null}} Sentence
 * @typedef {{id: string, name: string, color: string, shortcut: string, question: string}} Label
 * @typedef {{row: HTMLElement, text: HTMLElement, buttons: Map<string, HTMLElement>, fb: HTMLElement,
 *   main: HTMLElement, sentence: Sentence, badge?: HTMLElement, reason?: HTMLElement}} Row
 * @typedef {{get: Function, set: Function, save_changes: Function, send: Function, on: Function, off: Function}} Model
 * @typedef {object} Mode  What a mode adds: see tagger_learner.js and tagger_author.js.
 * @property {boolean} author
 * @property {(ctx: Ctx) => HTMLElement} help
 * @property {[string, string]} filterOption  value and text of the mode's own filter
 * @property {(ctx: Ctx) => ({element: HTMLElement, place: Function} | null)} panel
 * @property {(ctx: Ctx, id: string) => boolean} [visible]  the mode's own filter
 * @property {(ctx: Ctx, id: string, row: Row) => void} [paintRow]
 * @property {(ctx: Ctx) => string} progress
 * @property {(ctx: Ctx, ev: KeyboardEvent, inField: boolean) => boolean} [key]  true when handled
 * @property {(ctx: Ctx) => Function} [wire]  extra listeners; returns their cleanup
 * @typedef {object} Ctx  One view's state, passed to every function.
 * @property {Model} model
 * @property {any} data  article_data: sentences, labels, file, mode extras
 * @property {Label[]} labels
 * @property {Map<string, Label>} byId
 * @property {Map<string, Label>} byShortcut
 * @property {string[]} order  sentence ids in reading order
 * @property {Map<string, Row>} rows
 * @property {Record<string, HTMLElement>} el  the view's fixed elements
 * @property {Mode} mode
 * @property {ReturnType<typeof createSaver>} saver
 * @property {(msg: object) => boolean} send  a message with a sequence number; false when refused
 * @property {any} panel
 */

const QUOTE_MARKS = new Set(["“", "”", '"', "‘", "’"]);
const LETTER = /\p{L}/u;
const ACK_TIMEOUT_MS = 5000; // a loaded JupyterHub can be slow; longer than this is a problem

/** Make an element: h("div", {class: "x"}, child, "text"). */
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

/** Quotation marks get a span; ’ between two letters is an apostrophe (Ukraine’s), not a mark. */
function isQuoteMark(text, i) {
  const ch = text[i];
  if (!QUOTE_MARKS.has(ch)) return false;
  if (ch === "’" || ch === "‘") {
    return !(LETTER.test(text[i - 1] || "") && LETTER.test(text[i + 1] || ""));
  }
  return true;
}

/** A sentence's text with quotation marks and (after Check) its cue words marked. */
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

// ---------------------------------------------------------------------------- acknowledged saves

/**
 * Sequence numbers, acks and the "not saved" banner of one view.
 * @param {Ctx} ctx
 */
function createSaver(ctx) {
  const view = Math.random().toString(36).slice(2);
  const pending = new Map(); // seq -> {sent, timer}
  let seq = 0;
  let down = ""; // why nothing can be saved now: "" | "closed" | "timeout" | "failed"
  let detail = "";
  let copyStale = false;

  function send(msg) {
    if (down === "closed" || down === "failed") { paintSaving(ctx); return false; }
    const n = ++seq;
    pending.set(n, { sent: performance.now(), msg, timer: setTimeout(() => fail("timeout"), ACK_TIMEOUT_MS) });
    try {
      ctx.model.send({ ...msg, seq: n, view });
    } catch (err) { // "Cannot send": the comm is gone (kernel restarted or page disconnected)
      fail("closed");
      return false;
    }
    paintSaving(ctx);
    return true;
  }
  function onAck(msg) {
    if (msg.view !== view || !pending.has(msg.seq)) return;
    const p = pending.get(msg.seq);
    clearTimeout(p.timer);
    pending.delete(msg.seq);
    (globalThis.__reportkitAcks ||= []).push(performance.now() - p.sent); // read by bench_tagger.py
    (globalThis.__reportkitKernelMs ||= []).push(msg.kernel_ms);
    if (msg.failed) { detail = msg.error || ""; fail("failed"); return; }
    if (down === "timeout" && !pending.size) down = ""; // the kernel was slow, not gone
    if (msg.copy) copyStale = msg.copy === "stale";
    paintSaving(ctx);
    if (!msg.error) announce(ctx, p.msg);
  }
  function fail(reason) {
    if (down === "closed" || down === "failed") return;
    down = reason;
    paintSaving(ctx);
  }
  return {
    send, onAck, fail,
    get down() { return down; },
    get detail() { return detail; },
    get busy() { return pending.size > 0; },
    get copyStale() { return copyStale; },
    stop() { for (const p of pending.values()) clearTimeout(p.timer); pending.clear(); },
  };
}

/** What a screen reader hears once the kernel has saved a change: "s03: analysis — 5 of 40 tagged". */
function announce(ctx, msg) {
  let text = "";
  if (msg.type === "set") {
    const label = answersOf(ctx)[msg.id];
    text = `${msg.id}: ${label ? ctx.byId.get(label)?.name || label : "cleared"} — ${ctx.mode.progress(ctx)}`;
  } else if (msg.type === "undo") {
    text = ctx.model.get("status");
  } else if (msg.type === "check") {
    text = `Checked. ${ctx.model.get("summary")} Each tagged sentence now says right, accepted or to reconsider.`;
  }
  if (text) ctx.el.announce.textContent = text;
}

/** The banner text for why a change is not saved, in a learner's words. */
function bannerText(ctx, down, detail) {
  const file = ctx.data.file;
  const rerun = "Run this cell again (Shift+Enter)";
  if (down === "closed") {
    return `Not saved: the kernel restarted or this page lost its connection to it. ${rerun}; `
      + `your earlier tags are safe in ${file}.`;
  }
  if (down === "timeout") {
    return `Not saved: the kernel has not answered for ${ACK_TIMEOUT_MS / 1000} seconds (it may be busy or `
      + `stopped). Wait a moment; if this stays, ${rerun.toLowerCase()}. Your earlier tags are safe in ${file}.`;
  }
  return `Not saved: ${file} could not be written (${detail}). Your last change is not saved; `
    + "ask for help, or free some disk space and run this cell again.";
}

/** Status line and banner from the saver's state: "saving…" until the ack, never "saved" without one. */
function paintSaving(ctx) {
  const { saver, el } = ctx;
  const down = saver.down;
  el.banner.hidden = !down;
  el.bannerText.textContent = down ? bannerText(ctx, down, saver.detail) : "";
  el.root.classList.toggle("rk-down", !!down && down !== "timeout");
  el.copyWarn.hidden = !saver.copyStale || !!down;
  if (down) el.status.textContent = "Not saved.";
  else if (saver.busy) el.status.textContent = "Saving…";
  else el.status.textContent = ctx.model.get("status");
  el.root.dataset.saving = down ? "down" : saver.busy ? "busy" : "idle";
}

// ---------------------------------------------------------------------------- building

/** The fixed parts of the widget: title, legend, toolbar, help, notices, banner, body, status. */
function buildHead(ctx) {
  const { data, labels, mode } = ctx;
  const el = ctx.el;
  const uid = ctx.uid;
  el.root = h("div", {
    class: mode.author ? "rk-tagger rk-authoring" : "rk-tagger",
    role: "group",
    tabindex: "-1", // focusable for clicks; the Tab stop is the selected row (roving tabindex)
    "data-lm-suppress-shortcuts": "true", // JupyterLab must not read j, k, 1-5 as notebook commands
    "aria-labelledby": `${uid}-title`,
    "aria-describedby": `${uid}-help`,
  });
  el.legend = h("div", { class: "rk-legend" },
    ...labels.map((l) => h("span", { class: "rk-chip", style: `--rk-c: ${l.color}`, title: l.question },
      h("kbd", {}, l.shortcut), ` ${l.name}`)));
  el.progress = h("span", { class: "rk-progress" }); // changes are announced by el.announce instead
  el.filter = h("select", { class: "rk-filter", "aria-label": "Show" },
    h("option", { value: "all" }, "all sentences"), h("option", { value: mode.filterOption[0] }, mode.filterOption[1]),
    ...labels.map((l) => h("option", { value: l.id }, `${l.id} only`)));
  el.undoBtn = h("button", { class: "rk-btn rk-undo", type: "button", title: "Undo the last change (u, Ctrl+Z)" }, "↶ Undo");
  el.checkBtn = h("button", {
    class: "rk-btn rk-check", type: "button", disabled: !data.has_key, hidden: mode.author,
    title: data.has_key ? "Compare your tags with the key (c)" : "No answer key in this copy",
  }, "Check");
  const toolbar = h("div", { class: "rk-toolbar" }, el.progress,
    h("label", { class: "rk-filter-label" }, "Show ", el.filter), el.undoBtn, el.checkBtn);
  buildNotices(ctx);
  el.summary = h("div", { class: "rk-summary", "aria-live": "polite", hidden: true });
  el.status = h("div", { class: "rk-status", "aria-live": "polite" });
  el.body = h("div", { class: "rk-body", role: "grid", "aria-labelledby": `${uid}-title`,
    "aria-describedby": `${uid}-help`, "aria-readonly": "false" });
  el.announce = h("div", { class: "rk-sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  el.empty = h("div", { class: "rk-empty", hidden: true });
  const help = mode.help(ctx);
  help.id = `${uid}-help`;
  el.root.append(h("div", { class: "rk-head" },
    h("div", { class: "rk-title", id: `${uid}-title` }, `${mode.author ? "Key author mode" : "Sentence tagger"}: `,
      data.title), el.legend, toolbar, help),
  el.banner, el.copyWarn, el.recovery, el.notice, el.summary, el.body, el.empty, el.status, el.announce);
}

/** Banner (not saved), copy warning (reloaded page), recovery offer and the kernel's notice. */
function buildNotices(ctx) {
  const el = ctx.el;
  el.bannerText = h("span");
  el.banner = h("div", { class: "rk-banner", role: "alert", hidden: true }, h("strong", {}, "⚠ "), el.bannerText);
  el.copyWarn = h("div", { class: "rk-copywarn", role: "alert", hidden: true },
    "This page was reloaded, so the copy of your tags inside the notebook no longer follows this widget. ",
    h("strong", {}, "Run this cell again (Shift+Enter) before you save the notebook (Ctrl+S)"),
    `; your tags are safe in ${ctx.data.file}.`);
  el.recoveryText = h("span");
  el.restoreBtn = h("button", { class: "rk-btn rk-restore", type: "button" }, "Restore");
  el.recovery = h("div", { class: "rk-recovery", role: "alert", hidden: true }, el.recoveryText, " ", el.restoreBtn);
  el.noticeText = h("span");
  el.noticeClose = h("button", { class: "rk-btn rk-dismiss", type: "button", "aria-label": "Dismiss" }, "×");
  el.notice = h("div", { class: "rk-notice", role: "alert", hidden: true }, el.noticeText, el.noticeClose);
}

/** One sentence's row: id, text, feedback line, label buttons (and × for learners). */
function buildRow(ctx, s) {
  const { labels, mode } = ctx;
  const key = `${ctx.uid}-${s.id}`;
  const text = h("div", { class: "rk-text", id: `${key}-text` }, renderText(s.text, []));
  const short = s.text.length > 60 ? `${s.text.slice(0, 57)}…` : s.text;
  const group = h("div", { class: "rk-choices", role: "radiogroup", "aria-label": `Label for ${s.id}: ${short}` });
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
  if (!mode.author) {
    group.append(h("button", { class: "rk-clear", type: "button", title: "Clear this answer (0)",
      "aria-label": `Clear ${s.id}`, tabindex: "-1" }, "×"));
  }
  const fb = h("div", { class: "rk-fb", id: `${key}-fb`, hidden: true });
  // The text cell is what keyboard focus moves between (roving tabindex, set in paintRow).
  const main = h("div", { class: "rk-main", role: "gridcell", tabindex: "-1", "aria-labelledby": `${key}-id ${key}-text` },
    text, fb);
  const row = h("div", { class: "rk-row", role: "row", "data-id": s.id, "aria-labelledby": `${key}-id ${key}-text` },
    h("span", { class: "rk-id", role: "rowheader", id: `${key}-id` }, s.id), main,
    h("div", { class: "rk-choices-cell", role: "gridcell" }, group));
  if (s.continues) row.classList.add("rk-continues");
  return { row, text, buttons, fb, main, group, sentence: s };
}

/** Every row, grouped in paragraphs. */
function buildRows(ctx) {
  let para = null;
  let lastP = null;
  for (const s of ctx.data.sentences) {
    if (s.p !== lastP) {
      para = h("div", { class: "rk-para", role: "rowgroup", "data-p": s.p });
      ctx.el.body.append(para);
      lastP = s.p;
    }
    const r = buildRow(ctx, s);
    para.append(r.row);
    ctx.rows.set(s.id, r);
  }
}

// ---------------------------------------------------------------------------- selection and filter

const answersOf = (ctx) => ctx.model.get("answers") || {};

/** Whether the filter shows a sentence. */
function visible(ctx, id) {
  const f = ctx.model.get("filter");
  if (f === ctx.mode.filterOption[0] && ctx.mode.visible) return ctx.mode.visible(ctx, id);
  const lab = answersOf(ctx)[id];
  return f === "all" || (f === "untagged" ? !lab : lab === f);
}

/** Select a sentence (a view setting, synced so every view follows). */
function select(ctx, id, scroll = true) {
  if (!id) return;
  try {
    ctx.model.set("selected", id);
    ctx.model.save_changes();
  } catch (err) { ctx.saver.fail("closed"); }
  if (scroll) ctx.rows.get(id)?.row.scrollIntoView({ block: "nearest" });
}

/** Keyboard focus on the selected row's text cell (or the widget when nothing is selected). */
function focusSelection(ctx) {
  const r = ctx.rows.get(ctx.model.get("selected"));
  (r ? r.main : ctx.el.root).focus({ preventScroll: true });
}

/** ←/→ between a row's text and its label buttons; never changes a tag (Enter or Space does). */
function moveAcross(ctx, ev, step) {
  const r = ctx.rows.get(ctx.model.get("selected"));
  if (!r) return;
  const stops = [r.main, ...r.group.querySelectorAll("button")];
  let i = stops.indexOf(document.activeElement);
  if (i < 0) i = 0;
  stops[Math.max(0, Math.min(stops.length - 1, i + step))].focus({ preventScroll: true });
}

/** Leave the widget: focus goes back to the notebook cell, so notebook shortcuts work again. */
function leave(ctx) {
  const cell = ctx.el.root.closest(".jp-Cell");
  const notebook = ctx.el.root.closest(".jp-Notebook");
  const target = cell && cell.hasAttribute("tabindex") ? cell : notebook;
  if (target) target.focus();
  else ctx.el.root.blur();
}

/** Walk in reading order from the selection, skipping rows the filter hides. */
function move(ctx, step) {
  const { order } = ctx;
  let i = order.indexOf(ctx.model.get("selected"));
  if (i < 0) i = step > 0 ? -1 : order.length;
  for (let k = i + step; k >= 0 && k < order.length; k += step) {
    if (visible(ctx, order[k])) { select(ctx, order[k]); focusSelection(ctx); return; }
  }
}

/** Ask the kernel to change a label; refused (banner) while nothing can be saved. */
function setLabel(ctx, id, label) {
  if (ctx.saver.down) { paintSaving(ctx); return; } // no new changes until the kernel answers again
  ctx.mode.beforeSet?.(ctx, id, label);
  ctx.send({ type: "set", id, label: label || null });
}

// ---------------------------------------------------------------------------- painting

const VERDICT_ICONS = { correct: "✓", accepted: "≈ accepted:", wrong: "✗" };

/** One row's label, selection, visibility and feedback. */
function paintRow(ctx, id, r, a, sel, fbs) {
  const lab = a[id] || "";
  if (r.row.dataset.label !== lab) {
    r.row.dataset.label = lab;
    r.row.style.setProperty("--rk-c", lab ? ctx.byId.get(lab)?.color : "transparent");
    for (const [lid, b] of r.buttons) b.setAttribute("aria-checked", lid === lab ? "true" : "false");
  }
  r.row.classList.toggle("rk-selected", id === sel);
  r.main.tabIndex = id === (sel || ctx.order[0]) ? 0 : -1;
  r.row.hidden = !visible(ctx, id);
  const fb = fbs[id];
  r.fb.hidden = !fb;
  r.row.dataset.verdict = fb ? fb.status : ""; // a wrong label loses its ✓ (CSS)
  if (fb) r.group.setAttribute("aria-describedby", r.fb.id);
  else r.group.removeAttribute("aria-describedby");
  if (fb) {
    r.fb.dataset.status = fb.status;
    // The message says right / defensible / "is not"; the icon repeats it without colour.
    r.fb.replaceChildren(h("strong", {}, VERDICT_ICONS[fb.status] || fb.status), " ",
      fb.message.replace(/^s\d+:\s*/, ""));
  }
  ctx.mode.paintRow?.(ctx, id, r);
}

/** Every row, the panel's place, and the empty-list line. */
function paintRows(ctx) {
  const a = answersOf(ctx);
  const sel = ctx.model.get("selected");
  const fbs = ctx.model.get("feedback") || {};
  let shown = 0;
  for (const [id, r] of ctx.rows) {
    paintRow(ctx, id, r, a, sel, fbs);
    if (!r.row.hidden) shown += 1;
  }
  paintEmpty(ctx, shown);
  if (ctx.panel) ctx.panel.place(sel);
  if (sel !== ctx.lastSel) {
    ctx.lastSel = sel;
    // Also when the kernel moved the selection (undo goes to its row; Confirm to the next).
    ctx.rows.get(sel)?.row.scrollIntoView({ block: "nearest" });
    if (ctx.panel && ctx.mode.author) ctx.panel.element.scrollIntoView({ block: "nearest" });
  }
}

/** A filter that hides every row says why, instead of an empty widget. */
function paintEmpty(ctx, shown) {
  const f = ctx.model.get("filter");
  ctx.el.empty.hidden = shown > 0;
  if (shown > 0) return;
  const why = f === "untagged" ? "every sentence is tagged" : f === "unreviewed" ? "every sentence is reviewed"
    : `no sentence is tagged ${f}`;
  ctx.el.empty.textContent = `Nothing to show: ${why}. Choose “all sentences” under Show.`;
}

/** Cue words (after Check, or the key's in author mode). */
function paintCues(ctx) {
  const cues = ctx.model.get("cues") || {};
  for (const r of ctx.rows.values()) {
    const want = JSON.stringify(cues[r.sentence.id] || []);
    if (r.text.dataset.cues !== want) {
      r.text.dataset.cues = want;
      r.text.replaceChildren(renderText(r.sentence.text, cues[r.sentence.id] || []));
    }
  }
}

/** Progress and counts, filter, undo, notice, recovery offer, summary and status. */
function paintHead(ctx) {
  const { el, model, labels } = ctx;
  const counts = Object.fromEntries(labels.map((l) => [l.id, 0]));
  for (const v of Object.values(answersOf(ctx))) if (v in counts) counts[v] += 1;
  el.progress.replaceChildren(h("strong", {}, ctx.mode.progress(ctx)),
    ...labels.map((l) => h("span", { class: "rk-count", style: `--rk-c: ${l.color}` }, `${l.id} ${counts[l.id]}`)));
  el.filter.value = model.get("filter");
  el.undoBtn.disabled = !model.get("can_undo");
  const n = model.get("notice");
  el.notice.hidden = !n;
  el.noticeText.textContent = n;
  paintRecovery(ctx);
  const s = model.get("summary");
  el.summary.hidden = !s;
  if (ctx.mode.paintSummary) ctx.mode.paintSummary(ctx, s);
  else el.summary.textContent = s;
  paintSaving(ctx);
}

/** The offer to restore tags from the notebook when the answers file was lost. */
function paintRecovery(ctx) {
  const offer = ctx.model.get("recovery") || {};
  const { el } = ctx;
  el.recovery.hidden = !offer.notebook;
  if (!offer.notebook) return;
  const lost = offer.lost === "corrupt" ? "could not be read (it was kept aside)" : "is missing";
  const when = offer.saved_at ? ` saved ${offer.saved_at.replace("T", " ").slice(0, 16)} UTC` : "";
  el.recoveryText.textContent = `${offer.file} ${lost}, but ${offer.notebook}${when} holds ${offer.count} of your tags.`;
  el.restoreBtn.textContent = `Restore ${offer.count} tags from the notebook`;
}

// ---------------------------------------------------------------------------- events

/** Clicks: toolbar buttons, restore, dismiss, a row (select) or a label button (tag). */
function onClick(ctx, ev) {
  const { el } = ctx;
  const row = ev.target.closest(".rk-row");
  const b = ev.target.closest("button");
  if (b === el.checkBtn) ctx.send({ type: "check" });
  else if (b === el.undoBtn) ctx.send({ type: "undo" });
  else if (b === el.noticeClose) ctx.send({ type: "dismiss" });
  else if (b === el.restoreBtn) ctx.send({ type: "restore" });
  if (!row || ev.target.closest(".rk-attr")) return;
  const id = row.dataset.id;
  if (ctx.model.get("selected") !== id) select(ctx, id, false);
  if (b?.classList.contains("rk-label")) setLabel(ctx, id, b.dataset.label);
  else if (b?.classList.contains("rk-clear")) setLabel(ctx, id, null);
  // Keep keyboard focus in the widget so j/k/digits work right after a click (a button keeps it).
  if (!b) ctx.rows.get(id).main.focus({ preventScroll: true });
}

/** Ctrl/Cmd keys: undo, a text field's own shortcuts, or hand the key on to JupyterLab (Ctrl+S). */
function onModKey(ctx, ev, inField) {
  if (!ev.altKey && ev.key.toLowerCase() === "z" && !inField) {
    ev.preventDefault(); ev.stopPropagation();
    ctx.send({ type: "undo" });
    return;
  }
  if (inField && !ev.altKey && "acvxyz".includes(ev.key.toLowerCase()) && ev.key.length === 1) {
    ev.stopPropagation(); // select all, copy, paste, cut, undo, redo: the text field's own
    return;
  }
  // data-lm-suppress-shortcuts hides keys inside the widget from JupyterLab's command registry:
  // re-dispatch from outside it.
  if (ev.defaultPrevented || ev.__rkForwarded) return;
  ev.preventDefault(); ev.stopPropagation();
  const copy = new KeyboardEvent("keydown", {
    key: ev.key, code: ev.code, keyCode: ev.keyCode, which: ev.which, ctrlKey: ev.ctrlKey,
    metaKey: ev.metaKey, shiftKey: ev.shiftKey, altKey: ev.altKey, bubbles: true, cancelable: true,
  });
  copy.__rkForwarded = true;
  (ctx.el.root.parentElement || document.body).dispatchEvent(copy);
}

/** The widget's keys: j/k move, digits tag, 0 clears, u undoes, c checks, Esc leaves. */
function onKey(ctx, ev) {
  const inField = !!ev.target.closest("input, select, textarea");
  if (ctx.mode.key?.(ctx, ev, inField)) return;
  if (ev.ctrlKey || ev.metaKey) { onModKey(ctx, ev, inField); return; }
  ev.stopPropagation(); // no key typed here reaches the notebook
  if (inField || ev.altKey) return;
  const sel = ctx.model.get("selected");
  let handled = true;
  if (ev.key === "j" || ev.key === "ArrowDown") move(ctx, 1);
  else if (ev.key === "k" || ev.key === "ArrowUp") move(ctx, -1);
  else if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") moveAcross(ctx, ev, ev.key === "ArrowRight" ? 1 : -1);
  else if (ctx.byShortcut.has(ev.key)) { if (sel) setLabel(ctx, sel, ctx.byShortcut.get(ev.key).id); else move(ctx, 1); }
  else if (!ctx.mode.author && ["0", "Backspace", "Delete"].includes(ev.key)) { if (sel) setLabel(ctx, sel, null); }
  else if (ev.key === "u") ctx.send({ type: "undo" });
  else if (ev.key === "c" && !ctx.mode.author) { if (ctx.data.has_key) ctx.send({ type: "check" }); }
  else if (ev.key === "Escape") leave(ctx);
  else handled = false;
  if (handled) ev.preventDefault();
}

/** Kernel messages: acks for this view's changes. */
function onCustom(ctx, msg) {
  if (msg && msg.type === "ack") ctx.saver.onAck(msg);
}

/** Listeners on the model and the DOM; returns the cleanup anywidget calls when the view goes. */
function wire(ctx) {
  const { model, el } = ctx;
  const rowsNow = () => paintRows(ctx);
  const headNow = () => paintHead(ctx);
  const cuesNow = () => paintCues(ctx);
  const custom = (msg) => onCustom(ctx, msg);
  const lost = () => ctx.saver.fail("closed"); // the comm closed: kernel restarted or died
  const rowEvents = ["change:answers", "change:selected", "change:filter", "change:feedback",
    "change:attributions", "change:review"];
  const headEvents = ["change:status", "change:notice", "change:summary", "change:can_undo", "change:recovery",
    "change:answers", "change:review"];
  for (const e of rowEvents) model.on(e, rowsNow);
  for (const e of headEvents) model.on(e, headNow);
  model.on("change:cues", cuesNow);
  model.on("msg:custom", custom);
  model.on("comm_live_update", lost);
  el.root.addEventListener("click", (ev) => onClick(ctx, ev));
  el.root.addEventListener("keydown", (ev) => onKey(ctx, ev));
  el.filter.addEventListener("change", () => { model.set("filter", el.filter.value); model.save_changes(); });
  const extra = ctx.mode.wire?.(ctx);
  return () => {
    for (const e of rowEvents) model.off(e, rowsNow);
    for (const e of headEvents) model.off(e, headNow);
    model.off("change:cues", cuesNow);
    model.off("msg:custom", custom);
    model.off("comm_live_update", lost);
    ctx.saver.stop();
    extra?.();
  };
}

/**
 * Build one view of a tagger model in `el`.
 * @param {{model: Model, el: HTMLElement}} view
 * @param {Mode} mode
 */
function renderTagger({ model, el }, mode) {
  const data = model.get("article_data");
  /** @type {Ctx} */
  const ctx = {
    model, data, mode, uid: `rk-${Math.random().toString(36).slice(2)}`, labels: data.labels, order: data.sentences.map((s) => s.id), rows: new Map(), el: {},
    byId: new Map(data.labels.map((l) => [l.id, l])), byShortcut: new Map(data.labels.map((l) => [l.shortcut, l])),
    lastSel: model.get("selected"), panel: null,
  };
  ctx.saver = createSaver(ctx);
  ctx.send = (msg) => ctx.saver.send(msg);
  buildHead(ctx);
  ctx.el.root.__rkCtx = ctx; // benchmarks/bench_tagger.py sends its baseline message through it
  buildRows(ctx);
  ctx.panel = mode.panel(ctx);
  el.append(ctx.el.root);
  if (![...ctx.rows.keys()].some((id) => visible(ctx, id))) {
    // A filter remembered from before a reload must not open on an empty list.
    model.set("filter", "all");
    model.save_changes();
  }
  paintCues(ctx);
  paintRows(ctx);
  paintHead(ctx);
  const cleanup = wire(ctx);
  ctx.send({ type: "hello" }); // the ack says whether this page still updates the notebook's copy
  return cleanup;
}
