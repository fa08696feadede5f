// ---------------------------------------------------------------------------- the learner's Tagger
// (appended to tagger_common.js by reportkit/tagger.py)

/**
 * The attribution panel (Tagger(..., attribution=True)): one element, moved under the selected sentence.
 * @param {Ctx} ctx
 */
function buildAttribution(ctx) {
  const { data, model } = ctx;
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
  source.addEventListener("change", () => ctx.send({ type: "source", id: current, source: source.value.trim() || null }));
  const addOne = () => {
    const v = chInput.value.trim();
    if (!v) return;
    ctx.send({ type: "channel_add", id: current, name: v });
    chInput.value = "";
  };
  add.addEventListener("click", addOne);
  chInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); addOne(); } });
  chain.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-i]");
    if (b) ctx.send({ type: "channel_remove", id: current, index: Number(b.dataset.i) });
  });
  return {
    element: panel,
    place(id) {
      if (!id || !ctx.rows.has(id)) { panel.remove(); current = null; return; }
      current = id;
      const host = ctx.rows.get(id).main;
      if (panel.parentElement !== host) host.append(panel);
      const v = get();
      if (document.activeElement !== source) source.value = v.source || "";
      chain.replaceChildren(...v.channel.map((c, i) =>
        h("li", {}, c, h("button", { class: "rk-clear", type: "button", "data-i": i, "aria-label": `Remove ${c}` }, "×"))));
    },
  };
}

/**
 * Another kernel may have written the file: look again when the learner comes back to the widget.
 * @param {Ctx} ctx
 */
function wireLearner(ctx) {
  let last = 0;
  let pending = 0;
  const refresh = () => {
    if (ctx.saver.down) return;
    const wait = 300 - (Date.now() - last);
    if (wait > 0) { // a click also focuses: one look is enough, but a later one must not be lost
      if (!pending) pending = setTimeout(() => { pending = 0; refresh(); }, wait);
      return;
    }
    last = Date.now();
    ctx.send({ type: "refresh" });
  };
  // Focus alone is not enough: a widget that kept focus while another tab was used gets no focusin.
  ctx.el.root.addEventListener("focusin", refresh);
  ctx.el.root.addEventListener("pointerdown", refresh);
  return () => {
    clearTimeout(pending);
    ctx.el.root.removeEventListener("focusin", refresh);
    ctx.el.root.removeEventListener("pointerdown", refresh);
  };
}

/** @type {Mode} */
const LEARNER = {
  author: false,
  filterOption: ["untagged", "untagged"],
  help: (ctx) => h("div", { class: "rk-help" },
    "Click a sentence or Tab to it: j/k or ↓/↑ move, ←/→ reach its label buttons, ",
    ...ctx.labels.map((l) => `${l.shortcut} ${l.id}, `),
    "0 clears, u undoes, c checks, Esc goes back to the notebook. Each change is saved to ", h("code", {}, ctx.data.file),
    " when the status line says Saved."),
  panel: (ctx) => (ctx.data.attribution ? buildAttribution(ctx) : null),
  progress: (ctx) => `${Object.keys(answersOf(ctx)).length} of ${ctx.order.length} tagged`,
  wire: wireLearner,
};

export default { render: (view) => renderTagger(view, LEARNER) };
