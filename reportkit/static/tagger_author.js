// ---------------------------------------------------------------------------- the author's key editor
// (appended to tagger_common.js by reportkit/author_editor.py)
// Rows show their review state; a panel under the selected sentence edits the key entry; the
// kernel saves every change to key.json and acknowledges it.

const BADGES = {
  reviewed: ["✓", "reviewed"],
  proposed: ["○", "to review"],
  edited: ["✎", "edited, not confirmed"],
};

const reviewOf = (ctx) => ctx.model.get("review") || {};

/** Reading order from the selection, wrapping round; null when every entry is reviewed. */
function nextUnreviewed(ctx) {
  const r = reviewOf(ctx);
  const { order } = ctx;
  const i = order.indexOf(ctx.model.get("selected"));
  for (let k = 1; k <= order.length; k++) {
    const id = order[(i + k + order.length) % order.length];
    if (r[id] !== "reviewed") return id;
  }
  return null;
}

/**
 * Confirm goes as one message with the panel's current fields; the kernel checks them
 * (reportkit.authoring.review_entry), saves, and moves the selection when asked to.
 * @param {Ctx} ctx
 */
function confirmSelected(ctx) {
  const id = ctx.model.get("selected");
  if (!id || !ctx.panel) return;
  if (!ctx.panel.ready(id)) { ctx.pendingConfirm = id; return; } // the entry is still on its way
  ctx.pendingConfirm = null;
  ctx.send({ type: "confirm", id, fields: ctx.panel.fields(), advance: true });
}

/** A row's review badge and the baseline's reason while unreviewed. */
function paintReview(ctx, id, r) {
  if (!r.badge) {
    r.badge = h("span", { class: "rk-badge" });
    r.reason = h("span", { class: "rk-reason" });
    r.main.append(h("div", { class: "rk-meta" }, r.badge, r.reason));
  }
  const st = reviewOf(ctx)[id] || "proposed";
  if (r.badge.dataset.state !== st) {
    r.badge.dataset.state = st;
    r.row.dataset.review = st;
    const [icon, text] = BADGES[st] || ["?", st];
    r.badge.replaceChildren(h("span", { "aria-hidden": "true" }, icon), ` ${text}`);
  }
  const base = ctx.data.baseline?.[id];
  const label = answersOf(ctx)[id];
  const why = st !== "reviewed" && base
    ? `Baseline${base.label ? ` proposed ${base.label}` : ""}: ${base.reason}` + (base.label && base.label !== label ? " (you changed it)" : "")
    : "";
  if (r.reason.textContent !== why) r.reason.textContent = why;
}

/** The done message, with the validate command set apart so it can be copied. */
function paintAuthorSummary(ctx, s) {
  const cmd = ctx.data.validate;
  if (s && s.includes(cmd)) {
    const [before, after] = s.split(cmd);
    ctx.el.summary.replaceChildren(h("strong", {}, "✓ "), before, h("code", {}, cmd), after);
  } else {
    ctx.el.summary.textContent = s;
  }
}

/** Author keys: Enter confirms, Esc leaves a field, n skips to the next unreviewed, r edits the rationale. */
function authorKey(ctx, ev, inField) {
  const mod = ev.ctrlKey || ev.metaKey;
  if (ev.key === "Enter" && (mod || !inField) && !ev.altKey && !ev.shiftKey && !(ev.target.closest("button") && !mod)) {
    // Enter (Ctrl+Enter from a field) confirms; on a focused button Enter clicks it instead.
    ev.preventDefault(); ev.stopPropagation();
    confirmSelected(ctx);
    return true;
  }
  if (inField && ev.key === "Escape") {
    ev.preventDefault(); ev.stopPropagation();
    focusSelection(ctx); // the blur saves what was typed (change event)
    return true;
  }
  if (inField || mod || ev.altKey) return false;
  if (ev.key === "n") { const id = nextUnreviewed(ctx); if (id) select(ctx, id); }
  else if (ev.key === "r") { if (ctx.model.get("selected")) ctx.panel.focusRationale(); }
  else if (["0", "Backspace", "Delete"].includes(ev.key)) { ev.stopPropagation(); return true; } // a key entry cannot be cleared
  else return false;
  ev.preventDefault(); ev.stopPropagation();
  return true;
}

/** The panel follows the kernel's `entry`; a Confirm asked for before the entry came is sent now. */
function wireAuthor(ctx) {
  const onEntry = () => {
    const e = ctx.model.get("entry") || {};
    if (e.id && (ctx.requested.get(e.id) === e.label || e.error)) ctx.requested.delete(e.id);
    ctx.panel.fill();
    if (ctx.pendingConfirm && ctx.pendingConfirm === ctx.model.get("selected") && ctx.panel.ready(ctx.pendingConfirm)) {
      confirmSelected(ctx);
    }
  };
  ctx.model.on("change:entry", onEntry);
  ctx.panel.fill();
  return () => ctx.model.off("change:entry", onEntry);
}

// ---------------------------------------------------------------------------- the key panel
// One element, moved under the selected sentence. `p` is the panel's state: its elements and
// what the author has typed but not saved yet.

/**
 * @typedef {object} Panel
 * @property {Ctx} ctx
 * @property {string | null} current  the sentence the panel edits
 * @property {Map<string, {id: string, run: Function, timer: number}>} timers  typing saved after a pause
 * @property {Set<string>} touchedRules  sentences whose rule boxes were edited (suggestions no longer apply)
 * @property {Map<string, Set<string>>} pendingAlts  labels ticked but not saved yet (no note)
 * @property {string | null} ruleOrderFor
 * @property {string} rationaleShown
 * @property {Map<string, {wrap: HTMLElement, input: HTMLInputElement, rule: any}>} ruleBoxes
 * @property {Map<string, {wrap: HTMLElement, input: HTMLInputElement, note: HTMLInputElement}>} alts
 * @property {Record<string, any>} el
 */

const panelEntry = (p) => p.ctx.model.get("entry") || {};
const panelLoaded = (p, id) => !!id && panelEntry(p).id === id;
/** The entry shown is this sentence's, with the label last asked for (Enter waits until it is). */
const panelReady = (p, id) => panelLoaded(p, id) && (!p.ctx.requested.has(id) || p.ctx.requested.get(id) === panelEntry(p).label);
const panelSend = (p, fields) => { if (panelLoaded(p, p.current)) p.ctx.send({ type: "draft", id: p.current, fields }); };
const focused = (node) => document.activeElement === node;

/** A labelled line of the panel. */
function panelField(name, ...content) {
  return h("div", { class: "rk-a-row" }, h("span", { class: "rk-a-name" }, name), h("div", { class: "rk-a-val" }, ...content));
}

/** Rationale: the saved one, or a suggestion built from the label's rule (marked as such). */
function buildRationaleField(p) {
  p.el.rationale = h("textarea", {
    class: "rk-input rk-rationale", rows: "3", "aria-label": "Rationale",
    placeholder: "Why this label? One or two sentences that cite the deciding rule, e.g. “… a reported claim (R1).”",
  });
  p.el.suggested = h("span", { class: "rk-suggested", hidden: true }, "suggested: edit it, or confirm it as it is");
  return panelField("Rationale", p.el.rationale, p.el.suggested);
}

/** Rules: a box per codebook rule, its text as tooltip. */
function buildRulesField(p) {
  p.el.rulesBox = h("div", { class: "rk-a-rules", role: "group", "aria-label": "Rules" });
  for (const r of p.ctx.data.rules) {
    const input = h("input", { type: "checkbox", value: r.id, "aria-label": `Rule ${r.id}, ${r.title}` });
    const wrap = h("label", { class: "rk-rule", title: `${r.id} (${r.title}): ${r.text}` },
      input, h("b", {}, r.id), h("span", { class: "rk-rule-title" }, ` ${r.title}`));
    p.ruleBoxes.set(r.id, { wrap, input, rule: r });
  }
  p.el.otherRules = h("span", { class: "rk-a-other" }, "other rules:");
  p.el.rulesHint = h("span", { class: "rk-suggested", hidden: true }, "suggested");
  return panelField("Rules", p.el.rulesBox, p.el.rulesHint);
}

/** Accepted alternatives: a box per other label, and a note once it is ticked. */
function buildAltsField(p) {
  p.el.altBox = h("div", { class: "rk-a-alts" });
  for (const l of p.ctx.labels) {
    const input = h("input", { type: "checkbox", value: l.id, "aria-label": `Also accept ${l.id}` });
    const note = h("input", {
      class: "rk-input rk-note", "aria-label": `Why ${l.id} is defensible`,
      placeholder: `why is ${l.id} defensible? (learners who pick it read this)`,
    });
    const wrap = h("div", { class: "rk-alt", "data-label": l.id, style: `--rk-c: ${l.color}` },
      h("label", { class: "rk-alt-pick" }, input, ` ${l.id}`), note);
    p.alts.set(l.id, { wrap, input, note });
    p.el.altBox.append(wrap);
  }
  return panelField("Also accept", p.el.altBox);
}

/** Attribution: as in the learners' panel, plus source type, cue and cue stance; then the channel. */
function buildAttributionFields(p) {
  const { data } = p.ctx;
  const uid = p.ctx.uid;
  const el = p.el;
  const srcList = h("datalist", { id: `${uid}-src` }, ...data.sources.map((s) => h("option", { value: s })));
  const chList = h("datalist", { id: `${uid}-ch` }, ...data.channels.map((s) => h("option", { value: s })));
  el.source = h("input", { class: "rk-input rk-source", list: `${uid}-src`, placeholder: "who says it?", "aria-label": "Source" });
  el.sourceType = h("select", { class: "rk-select rk-source-type", "aria-label": "Source type" },
    h("option", { value: "" }, "—"), ...data.source_types.map((v) => h("option", { value: v }, v)));
  el.cue = h("input", { class: "rk-input rk-cue-input", placeholder: "said, told, according to…", "aria-label": "Cue (words of the sentence)" });
  el.stance = h("select", { class: "rk-select rk-stance", "aria-label": "Cue stance" },
    h("option", { value: "" }, "—"), ...data.cue_stances.map((v) => h("option", { value: v.id, title: v.text }, v.id)));
  el.chain = h("ol", { class: "rk-chain", "aria-label": "Channel" });
  el.chInput = h("input", { class: "rk-input rk-channel", list: `${uid}-ch`, placeholder: "add an outlet or person", "aria-label": "Add to channel" });
  el.add = h("button", { class: "rk-btn rk-add", type: "button" }, "Add");
  // Until the entry is reviewed, source, cue and channel are the baseline's guesses: say so.
  el.attrHint = h("span", { class: "rk-suggested rk-attr-guess", hidden: true },
    "the baseline's guess: check the source and the channel");
  return [
    panelField("Attribution", h("label", {}, "source ", el.source), srcList, h("label", {}, "type ", el.sourceType),
      h("label", {}, "cue ", el.cue), h("label", {}, "stance ", el.stance), el.attrHint),
    panelField("Channel", h("div", { class: "rk-chain-wrap" }, el.chain, el.chInput, el.add), chList),
  ];
}

/** The error line, Confirm and the entry's state. */
function buildActions(p) {
  p.el.error = h("div", { class: "rk-a-error", role: "alert", hidden: true });
  p.el.confirm = h("button", { class: "rk-btn rk-confirm", type: "button", title: "Save this entry as reviewed and go to the next unreviewed sentence (Enter)" }, "✓ Confirm");
  p.el.state = h("span", { class: "rk-a-state", "aria-live": "polite" });
  return [p.el.error, h("div", { class: "rk-a-actions" }, p.el.confirm, p.el.state,
    h("span", { class: "rk-a-hint" }, "Enter confirms · Ctrl+Enter from a field · Esc back to the sentences"))];
}

// ---- what the form holds

function checkedRules(p) {
  return [...p.ruleBoxes.values()].filter((b) => b.input.checked).map((b) => b.rule.id);
}

function acceptedFromForm(p, withEmpty) {
  const main = answersOf(p.ctx)[p.current];
  const out = [];
  for (const [lid, a] of p.alts) {
    if (lid === main || !a.input.checked) continue;
    const note = a.note.value.trim();
    if (note || withEmpty) out.push({ label: lid, note });
  }
  return out;
}

function attributionFromForm(p) {
  const { source, sourceType, cue, stance } = p.el;
  return {
    source: source.value.trim() || null, source_type: sourceType.value || null,
    cue: cue.value.trim() || null, cue_stance: stance.value || null,
  };
}

// ---- saving as the author types: after a short pause, and at once when the field is left or
// another sentence selected (the kernel writes key.json at once)

function later(p, name, run) {
  clearTimeout(p.timers.get(name)?.timer);
  const id = p.current;
  p.timers.set(name, { id, run, timer: setTimeout(() => { p.timers.delete(name); if (id === p.current) run(); }, 600) });
}

function flushAll(p) {
  for (const [name, t] of [...p.timers]) { clearTimeout(t.timer); p.timers.delete(name); if (t.id === p.current) t.run(); }
}

function dropAll(p) {
  for (const t of p.timers.values()) clearTimeout(t.timer);
  p.timers.clear();
}

function saveRationale(p) {
  p.timers.delete("rationale");
  const value = p.el.rationale.value;
  if (value !== p.rationaleShown) { p.rationaleShown = value; panelSend(p, { rationale: value }); }
}

/** Rationale, rules and alternatives: what typing and ticking send. */
function wireEntryFields(p) {
  const { rationale, rulesBox, altBox } = p.el;
  rationale.addEventListener("input", () => { p.el.suggested.hidden = true; later(p, "rationale", () => saveRationale(p)); });
  rationale.addEventListener("change", () => { clearTimeout(p.timers.get("rationale")?.timer); saveRationale(p); });
  rulesBox.addEventListener("change", () => {
    p.touchedRules.add(p.current);
    p.el.rulesHint.hidden = true;
    panelSend(p, { rules: checkedRules(p) });
  });
  altBox.addEventListener("change", (ev) => onAltChange(p, ev));
  altBox.addEventListener("input", (ev) => {
    if (ev.target.classList.contains("rk-note")) later(p, "accepted", () => panelSend(p, { accepted: acceptedFromForm(p, false) }));
  });
}

/** A ticked alternative waits for its note (focused at once); an unticked one is saved. */
function onAltChange(p, ev) {
  const wrap = ev.target.closest(".rk-alt");
  if (!wrap) return;
  const lid = wrap.dataset.label;
  const a = p.alts.get(lid);
  const pending = p.pendingAlts.get(p.current) || new Set();
  p.pendingAlts.set(p.current, pending);
  if (a.input.checked) pending.add(lid); else pending.delete(lid);
  a.note.hidden = !a.input.checked;
  if (ev.target === a.input && a.input.checked && !a.note.value.trim()) { a.note.focus(); return; }
  panelSend(p, { accepted: acceptedFromForm(p, false) });
}

/** Attribution fields, the channel list and Confirm. */
function wireAttributionFields(p) {
  const { source, sourceType, cue, stance, chInput, add, chain, confirm } = p.el;
  const ctx = p.ctx;
  source.addEventListener("change", () => panelSend(p, { attribution: { source: source.value.trim() || null } }));
  sourceType.addEventListener("change", () => panelSend(p, { attribution: { source_type: sourceType.value || null } }));
  cue.addEventListener("change", () => panelSend(p, { attribution: { cue: cue.value.trim() || null } }));
  stance.addEventListener("change", () => panelSend(p, { attribution: { cue_stance: stance.value || null } }));
  const addOne = () => {
    const v = chInput.value.trim();
    if (!v || !panelLoaded(p, p.current)) return;
    ctx.send({ type: "channel_add", id: p.current, name: v });
    chInput.value = "";
  };
  add.addEventListener("click", addOne);
  chInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); ev.stopPropagation(); addOne(); } });
  chain.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-i]");
    if (b) ctx.send({ type: "channel_remove", id: p.current, index: Number(b.dataset.i) });
  });
  confirm.addEventListener("click", () => {
    confirmSelected(ctx);
    focusSelection(ctx); // keys work again at once (j/k, Enter)
  });
}

// ---- showing the kernel's entry

/** The label's own rules first, then rules for any label, then the rest. */
function orderRules(p, label) {
  if (p.ruleOrderFor === label) return;
  p.ruleOrderFor = label;
  const mine = [], any = [], rest = [];
  for (const b of p.ruleBoxes.values()) {
    (b.rule.label === label ? mine : b.rule.label === "any" ? any : rest).push(b);
    b.wrap.classList.toggle("rk-rule-own", b.rule.label === label || b.rule.label === "any");
  }
  p.el.rulesBox.replaceChildren(...mine.map((b) => b.wrap), ...any.map((b) => b.wrap), p.el.otherRules, ...rest.map((b) => b.wrap));
}

function fillRationale(p, e) {
  const { rationale, suggested } = p.el;
  if (p.timers.has("rationale") || focused(rationale)) return; // never overwrite what is being typed
  const text = e.placeholder ? e.suggested.rationale : e.rationale;
  rationale.value = text;
  p.rationaleShown = e.placeholder ? "" : e.rationale; // a suggestion is saved only by Confirm
  suggested.hidden = !(e.placeholder && text);
}

function fillRules(p, e) {
  orderRules(p, e.label);
  const useSuggested = !e.rules.length && !p.touchedRules.has(p.current) && e.suggested.rules.length > 0;
  const ticked = new Set(useSuggested ? e.suggested.rules : e.rules);
  p.el.rulesHint.hidden = !useSuggested;
  for (const b of p.ruleBoxes.values()) {
    b.input.checked = ticked.has(b.rule.id);
    const off = b.input.checked && b.rule.label !== e.label && b.rule.label !== "any";
    b.wrap.classList.toggle("rk-offlabel", off);
    b.wrap.title = `${b.rule.id} (${b.rule.title}): ${b.rule.text}` + (off ? ` [a rule for ${b.rule.label}, not ${e.label}]` : "");
  }
}

function fillAlts(p, e) {
  const saved = new Map(e.accepted.map((a) => [a.label, a.note]));
  const pending = p.pendingAlts.get(p.current) || new Set();
  for (const l of saved.keys()) pending.delete(l);
  for (const [lid, a] of p.alts) {
    a.wrap.hidden = lid === e.label;
    if (!focused(a.input)) a.input.checked = saved.has(lid) || pending.has(lid);
    if (!focused(a.note)) a.note.value = saved.get(lid) ?? (pending.has(lid) ? a.note.value : "");
    a.note.hidden = !a.input.checked;
  }
}

function fillAttribution(p, e) {
  const { source, sourceType, cue, stance, chain, attrHint } = p.el;
  const at = e.attribution;
  attrHint.hidden = !(e.placeholder && (at.source || at.cue));
  if (!focused(source)) source.value = at.source || "";
  if (!focused(sourceType)) sourceType.value = at.source_type || "";
  if (!focused(cue)) cue.value = at.cue || "";
  if (!focused(stance)) stance.value = at.cue_stance || "";
  chain.replaceChildren(...(at.channel || []).map((c, i) =>
    h("li", {}, c, h("button", { class: "rk-clear", type: "button", "data-i": i, "aria-label": `Remove ${c}` }, "×"))));
}

/** Everything the kernel's `entry` says, once it is the selected sentence's. */
function fillPanel(p) {
  const e = panelEntry(p);
  const on = panelReady(p, p.current);
  p.el.panel.classList.toggle("rk-loading", !on);
  p.el.confirm.disabled = !on;
  if (!on) return;
  fillRationale(p, e);
  fillRules(p, e);
  fillAlts(p, e);
  fillAttribution(p, e);
  p.el.error.hidden = !e.error;
  p.el.error.textContent = e.error || "";
  const name = p.ctx.byId.get(e.label)?.name || e.label;
  p.el.state.textContent = e.reviewed ? `✓ ${p.current} is reviewed (${name})` : `${p.current} is not reviewed yet`;
}

/** Move the panel under sentence `id` (a grid item spanning the text and label columns). */
function placePanel(p, id) {
  const { panel } = p.el;
  if (!id || !p.ctx.rows.has(id)) { panel.remove(); p.current = null; return; }
  const host = p.ctx.rows.get(id).row;
  if (id !== p.current) {
    flushAll(p); // the last words typed go to their own sentence
    p.current = id;
  }
  if (panel.parentElement !== host) {
    const hadFocus = panel.contains(document.activeElement);
    host.append(panel);
    if (hadFocus) focusSelection(p.ctx); // moving the panel drops focus
  }
  fillPanel(p);
}

/**
 * The key panel: rationale, rules, accepted alternatives, attribution, Confirm; edits are sent as
 * they happen.
 * @param {Ctx} ctx
 */
function buildAuthor(ctx) {
  /** @type {Panel} */
  const p = {
    ctx, current: null, timers: new Map(), touchedRules: new Set(), pendingAlts: new Map(), ruleOrderFor: null,
    rationaleShown: "", ruleBoxes: new Map(), alts: new Map(), el: {},
  };
  p.el.panel = h("div", { class: "rk-attr rk-author-panel", role: "gridcell", "aria-label": "Key entry" },
    buildRationaleField(p), buildRulesField(p), buildAltsField(p), ...buildAttributionFields(p), ...buildActions(p));
  wireEntryFields(p);
  wireAttributionFields(p);
  return {
    element: p.el.panel,
    ready: (id) => panelReady(p, id),
    fill: () => fillPanel(p),
    fields() {
      dropAll(p); // Confirm carries every field
      return { rationale: p.el.rationale.value, rules: checkedRules(p), accepted: acceptedFromForm(p, true),
        attribution: attributionFromForm(p) };
    },
    focusRationale() { p.el.rationale.focus(); },
    place: (id) => placePanel(p, id),
  };
}

/** @type {Mode} */
const AUTHOR = {
  author: true,
  filterOption: ["unreviewed", "unreviewed"],
  visible: (ctx, id) => reviewOf(ctx)[id] !== "reviewed",
  help: (ctx) => h("div", { class: "rk-help" },
    "Author mode: every change is saved to ", h("code", {}, ctx.data.file), " at once. Click a sentence or focus here: ",
    "j/k or ↓/↑ move, ", ...ctx.labels.map((l) => `${l.shortcut} ${l.id}, `),
    "Enter confirms and goes to the next unreviewed, n skips to it, r edits the rationale, u undoes, ",
    "Esc leaves a field (and then the widget)."),
  panel: (ctx) => {
    // Labels asked for by a key and not yet in the kernel's `entry`; Enter waits for them, so a
    // quick "2, Enter" confirms the new label with its own suggestion.
    ctx.requested = new Map();
    return buildAuthor(ctx);
  },
  beforeSet: (ctx, id, label) => { if (label) ctx.requested.set(id, label); },
  paintRow: paintReview,
  paintSummary: paintAuthorSummary,
  progress: (ctx) => `${Object.values(reviewOf(ctx)).filter((v) => v === "reviewed").length} of ${ctx.order.length} reviewed`,
  key: authorKey,
  wire: wireAuthor,
};

export default { render: (view) => renderTagger(view, AUTHOR) };
