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

/**
 * The key panel: rationale, rules, accepted alternatives, attribution, Confirm. One element,
 * moved under the selected sentence; edits are sent as they happen.
 * @param {Ctx} ctx
 */
function buildAuthor(ctx) {
  const { model, data, labels, byId, requested } = ctx;
  const rows = ctx.rows;
  const answers = () => answersOf(ctx);
  const uid = `rk-${Math.random().toString(36).slice(2)}`;
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
  const panel = h("div", { class: "rk-attr rk-author-panel", role: "gridcell", "aria-label": "Key entry" },
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
  const send = (fields) => { if (loaded(current)) ctx.send({ type: "draft", id: current, fields }); };
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
    ctx.send({ type: "channel_add", id: current, name: v });
    chInput.value = "";
  };
  add.addEventListener("click", addOne);
  chInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); ev.stopPropagation(); addOne(); } });
  chain.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-i]");
    if (b) ctx.send({ type: "channel_remove", id: current, index: Number(b.dataset.i) });
  });
  confirm.addEventListener("click", () => {
    confirmSelected(ctx);
    focusSelection(ctx); // keys work again at once (j/k, Enter)
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
        if (hadFocus) focusSelection(ctx); // moving the panel drops focus
      }
      fill();
    },
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
