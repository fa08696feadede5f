"""What the lessons display: sentences with their quotations, cues and sources marked, and tables.

Every helper returns a ``Block``: Jupyter shows its HTML, and plain Python (a terminal, a
screen reader reading text/plain, nbval) gets a readable text version of the same content.
The HTML uses only inline styles with translucent backgrounds and inherited text colour, so
it reads on light and dark themes. Helpers that use the key (``show(..., key=True)``,
``explain``, ``figures_table``, ``chains_table``) say so when the key is not in the bundle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from reportkit.article import Article, Sentence
from reportkit.blocks import (  # noqa: F401 - re-exported: notebooks and tests use lesson.*
    QUOTE_RE,
    Block,
    Chain,
    chain_text,
    chains,
    id_ranges,
    markdown,
    sentence,
)
from reportkit.blocks import esc as _esc
from reportkit.blocks import table as _table
from reportkit.key import KeyEntry, keyed

BRACKET_RE = re.compile(r"\[[^\]]*\]")
PRONOUN_RE = re.compile(r"\b(he|He|his|His)\b")

STYLES = {
    "quote": "background-color:rgba(230,159,0,.25)",
    "bracket": "font-style:italic;border:1px dashed rgba(128,128,128,.9)",
    "cue": "font-weight:bold;text-decoration:underline",
    "source": "background-color:rgba(0,114,178,.25);font-weight:bold",
    "hedge": "border-bottom:2px dotted currentColor",
}
LEGEND = {
    "quote": "inside quotation marks",
    "bracket": "[editor's insertion]",
    "cue": "reporting cue",
    "source": "source",
    "hedge": "hedge",
}
MUTED = "opacity:.75;font-size:90%"


def _find(text: str, needle: str) -> tuple[int, int] | None:
    """First case-insensitive whole-word match of ``needle`` in ``text``."""
    if not needle:
        return None
    match = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _core(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def _source_span(sentence: Sentence, source: str | None) -> tuple[int, int] | None:
    """Where the sentence names its source: the full name, its longest run of words, or 'he'."""
    if not source:
        return None
    text, words = sentence.text, _core(source).split()
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            if n == 1 and (len(gram) < 4 or gram.lower() in {"the", "of", "an", "unnamed"}):
                continue
            span = _find(text, gram)
            if span:
                return span
    match = PRONOUN_RE.search(text)
    return (match.start(), match.end()) if match else None


def spans(article: Article, sentence: Sentence, *, key: bool = True) -> list[tuple[int, int, str]]:
    """The marked stretches of a sentence as (start, end, kind); kinds are the keys of STYLES.

    Without the key only what the text itself shows is marked: quotations and brackets.
    """
    text = sentence.text
    found = [(m.start(), m.end(), "quote") for m in QUOTE_RE.finditer(text)]
    found += [(m.start(), m.end(), "bracket") for m in BRACKET_RE.finditer(text)]
    if key and article.key is not None:
        attribution = article.key[sentence.id].attribution
        for kind, span in (("cue", _find(text, attribution.cue or "")),
                           ("source", _source_span(sentence, attribution.source))):
            if span:
                found.append((*span, kind))
        for hedge in attribution.hedges:
            span = _find(text, hedge)
            if span:
                found.append((*span, "hedge"))
    return sorted(found)


def _marked_html(text: str, marks: list[tuple[int, int, str]]) -> str:
    """Wrap every run of characters in the styles of the marks that cover it."""
    cuts = sorted({0, len(text), *(s for s, _, _ in marks), *(e for _, e, _ in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        kinds = [k for s, e, k in marks if s <= a and b <= e]
        piece = _esc(text[a:b])
        for kind in kinds:
            piece = f'<span style="{STYLES[kind]}" title="{LEGEND[kind]}">{piece}</span>'
        out.append(piece)
    return "".join(out)


def _legend_html(kinds: Iterable[str]) -> str:
    items = [f'<span style="{STYLES[k]}">{_esc(LEGEND[k])}</span>' for k in STYLES if k in set(kinds)]
    return f'<div style="{MUTED};margin-top:.3em">Marked: {" · ".join(items)}</div>' if items else ""


def _attribution_text(article: Article, sid: str) -> str:
    a = keyed(article.key)[sid].attribution
    parts = []
    if a.source:
        parts.append(f"source: {a.source}" + (f" ({a.source_type})" if a.source_type else ""))
    if a.cue:
        parts.append(f"cue: “{a.cue}” ({a.cue_stance})")
    if a.mixed_quotes:
        parts.append("quoted: " + ", ".join(f"“{q}”" for q in a.mixed_quotes))
    if a.hedges:
        parts.append("hedges: " + ", ".join(f"“{h}”" for h in a.hedges))
    if len(a.channel) > 1:
        parts.append("chain: " + chain_text(a.chain_nodes()))
    return " · ".join(parts) or "no source named"


def show(article: Article, *sentence_ids: str, key: bool = True) -> Block:
    """Sentences with quotations and brackets marked; with ``key=True`` also the key's cue,
    source and hedges, and an attribution line under each sentence."""
    use_key = key and article.key is not None
    rows_html, rows_text, kinds = [], [], set()
    for sid in sentence_ids:
        sentence = article.sentence(sid)
        marks = spans(article, sentence, key=use_key)
        kinds |= {k for _, _, k in marks}
        line = f'<div style="margin:.35em 0"><code>{sid}</code> {_marked_html(sentence.text, marks)}'
        text = f"{sid}  {sentence.text}"
        if use_key:
            info = _attribution_text(article, sid)
            line += f'<div style="{MUTED};margin-left:2.6em">{_esc(info)}</div>'
            text += f"\n     {info}"
        rows_html.append(line + "</div>")
        rows_text.append(text)
    if key and article.key is None:
        rows_text.append("(The key is not in this bundle: only quotations and brackets are marked.)")
    return Block("".join(rows_html) + _legend_html(kinds), "\n".join(rows_text))


def read(article: Article, first: str | None = None, last: str | None = None) -> Block:
    """The article (or the units from ``first`` to ``last``) paragraph by paragraph, with ids."""
    ids = article.ids
    lo = ids.index(first) if first else 0
    hi = ids.index(last) if last else len(ids) - 1
    wanted = set(ids[lo : hi + 1])
    paras_html, paras_text = [], []
    for paragraph in article.paragraphs():
        chosen = [s for s in paragraph if s.id in wanted]
        if not chosen:
            continue
        paras_html.append('<p style="margin:.5em 0">' + " ".join(
            f'<sup><code>{s.id}</code></sup>&#8239;{_esc(s.text)}' for s in chosen) + "</p>")
        paras_text.append(" ".join(f"[{s.id}] {s.text}" for s in chosen))
    header = f"{article.title} — {article.outlet}, {article.published}"
    return Block(f"<div><b>{_esc(header)}</b>{''.join(paras_html)}</div>",
                 header + "\n\n" + "\n\n".join(paras_text))





def swatch(color: str) -> str:
    return (f'<span style="display:inline-block;width:.9em;height:.9em;background-color:{color};'
            f'border:1px solid rgba(128,128,128,.8);vertical-align:middle"></span>')


def labels_table(article: Article) -> Block:
    """The codebook's five labels: id, name, the question to ask, the keyboard shortcut."""
    rows, rows_html = [], []
    for label in article.codebook.labels:
        rows.append([label.id, label.name, label.question, label.shortcut])
        rows_html.append([f"{swatch(label.color)} <code>{_esc(label.id)}</code>", _esc(label.name),
                          _esc(label.question), _esc(label.shortcut)])
    return _table(["label", "name", "ask", "key"], rows, rows_html)


def rules_table(article: Article, *rule_ids: str) -> Block:
    """Codebook rules (all, or the ones named) with their titles and text."""
    rules = [article.codebook.rule(r) for r in rule_ids] if rule_ids else list(article.codebook.rules)
    rows = [[r.id, r.label, r.title, r.text] for r in rules]
    return _table(["rule", "label", "title", "text"], rows)


def explain(article: Article, *sentence_ids: str) -> Block:
    """The key's verdict on sentences: label, accepted alternatives, rules and rationale."""
    if article.key is None:
        return Block("<p><i>The key is not in this bundle.</i></p>", "(The key is not in this bundle.)")
    blocks_html, blocks_text = [], []
    for sid in sentence_ids:
        entry = article.key[sid]
        label = article.codebook.label(entry.label)
        also = "".join(f"<li>also accepted: <b>{_esc(article.codebook.label(a.label).name.lower())}</b>"
                       f" — {_esc(a.note)}</li>" for a in entry.accepted)
        blocks_html.append(
            f'<div style="margin:.4em 0"><code>{sid}</code> {swatch(label.color)} '
            f"<b>{_esc(label.name.lower())}</b> <span style=\"{MUTED}\">(rules {_esc(', '.join(entry.rules))})"
            f"</span><div>{_esc(entry.rationale)}</div>{'<ul>' + also + '</ul>' if also else ''}</div>")
        text = f"{sid}  {label.name.lower()} (rules {', '.join(entry.rules)})\n     {entry.rationale}"
        for alt in entry.accepted:
            text += f"\n     also accepted: {article.codebook.label(alt.label).name.lower()} — {alt.note}"
        blocks_text.append(text)
    return Block("".join(blocks_html), "\n".join(blocks_text))


# ---------------------------------------------------------------- teaching choices, from the data
# The lessons name no unit of any one article: these pick examples from article.json's optional
# "examples", "sample_mistakes" and "sample_try", or, for an article without them, from its key.

# A typical confusion per key label (the label a hurried reader gives instead), for sample_mistakes.
TYPICAL_CONFUSIONS = (("reported", "quote"), ("analysis", "reported"), ("furniture", "narration"),
                      ("narration", "analysis"), ("quote", "reported"))


def examples(article: Article, *labels: str) -> list[str]:
    """One example unit for each label (the codebook's labels in order, or the ones named).

    article.json's ``examples`` choose them; for a label it does not list, the first reviewed
    unit the key gives that label without an accepted alternative (else the first of that
    label). A label no unit has is left out.
    """
    chosen = []
    for label in labels or article.codebook.label_ids:
        sid = article.examples.get(label)
        if sid is None and article.key is not None:
            units = [e for e in article.key if e.label == label and e.reviewed]
            clear = [e for e in units if not e.accepted]
            sid = (clear or units)[0].id if units else None
        if sid is not None:
            chosen.append(sid)
    return chosen


def try_unit(article: Article) -> str:
    """A unit for lesson 00's "try it": the first reviewed reported claim that is not an example."""
    shown = set(examples(article)) | set(article.sample_mistakes)
    units = [e.id for e in keyed(article.key) if e.label == "reported" and e.reviewed and e.id not in shown]
    return units[0] if units else article.ids[0]


def sample_mistakes(article: Article) -> dict[str, dict[str, str]]:
    """A reader's typical traps: {unit: {"label": what they gave, "note": why it is a trap}}.

    article.json's ``sample_mistakes``; otherwise one unit for each of TYPICAL_CONFUSIONS and one
    with an accepted alternative, each explained by the first rule the key cites for it.
    """
    if article.sample_mistakes:
        return {sid: dict(m) for sid, m in article.sample_mistakes.items()}
    if article.key is None:
        return {}
    found: dict[str, dict[str, str]] = {}

    def note(entry: KeyEntry, given: str) -> str:
        rules = [article.codebook.rule(r) for r in entry.rules]
        why = f"{rules[0].title} ({rules[0].id})" if rules else f"the key says {entry.label}"
        return why + (": defensible" if entry.accepts(given) else "")

    for key_label, given in TYPICAL_CONFUSIONS:
        for entry in article.key:
            if entry.id in found or entry.label != key_label:
                continue
            if key_label == "reported" and not QUOTE_RE.search(article.sentence(entry.id).text):
                continue  # the trap is the quotation marks
            found[entry.id] = {"label": given, "note": note(entry, given)}
            break
    for entry in article.key:
        if entry.accepted and entry.id not in found:
            found[entry.id] = {"label": entry.accepted[0].label, "note": note(entry, entry.accepted[0].label)}
            break
    return found


def sample_reader(article: Article) -> dict[str, str]:
    """A worked example's answers: the key's labels with the traps of ``sample_mistakes``."""
    if article.key is None:
        return {}
    answers = {entry.id: entry.label for entry in article.key}
    return answers | {sid: m["label"] for sid, m in sample_mistakes(article).items()}


def sample_try(check: Any) -> tuple[str, Any]:
    """(question id, answer): a wrong first try at one of ``check``'s questions, for ``check.preview``.

    article.json's ``sample_try`` if its question exists; else the first question of a kind that
    makes a short example (a list of ids, then a label, then tagging), with a half-right answer.
    """
    article, questions = check.article, check.questions
    chosen = article.sample_try
    if chosen and chosen.get("question") in questions:
        return chosen["question"], chosen["answer"]
    if not questions:
        raise ValueError(f"article {article.id!r} has no questions (data/{article.id}/questions.json)")
    if article.key is None:
        return next(iter(questions)), ...
    wrong = {label: given for label, given in TYPICAL_CONFUSIONS}
    by_kind: dict[str, Any] = {}
    for question in questions.values():
        by_kind.setdefault(question.kind, question)
    if "ids" in by_kind and "key_label" in by_kind["ids"].spec:
        question = by_kind["ids"]
        within = question.spec.get("within") or article.ids
        label = question.spec["key_label"]
        right = [sid for sid in within if article.key[sid].label == label]
        other = [sid for sid in within if not article.key[sid].accepts(label)]
        if right and other:
            return question.id, sorted([other[0], right[0]], key=article.ids.index)
    if "label" in by_kind:
        question = by_kind["label"]
        entry = article.key[question.spec["sentence"]]
        given = wrong.get(entry.label, "narration")
        if not entry.accepts(given):
            return question.id, given
    question = by_kind.get("tagging") or next(iter(questions.values()))
    if question.kind != "tagging":
        return question.id, ...
    units = examples(article)
    answer = {sid: article.key[sid].label for sid in units}
    if units:
        answer[units[0]] = wrong.get(answer[units[0]], "narration")
    return question.id, answer


def figures_table(article: Article) -> Block:
    """The figures ledger: each number, what it counts, who asserts it, through whom, the hedge."""
    if not article.figures:
        return no_figures(article)
    rows = [[f.sentence, f.text, f.counts, f.asserted_by, " → ".join(f.channel), f.hedge or "—"]
            for f in article.figures]
    return _table(["sentence", "figure", "counts", "asserted by", "chain", "hedge"], rows)


def no_figures(article: Article) -> Block:
    """What a figures table shows without figures: an empty ledger, or none in a bundle without the key."""
    if article.key is None:
        return Block("<p><i>The figures ledger is not in this bundle.</i></p>",
                     "(The figures ledger is not in this bundle.)")
    return sentence("This article has no figures in its ledger.")


def checking_table(article: Article) -> Block:
    """How each figure could be checked, from the ledger."""
    if not article.figures:
        return no_figures(article)
    rows = [[f.sentence, f.text, f.how_to_check] for f in article.figures]
    return _table(["sentence", "figure", "how you could check it"], rows)


def chains_table(article: Article) -> Block:
    if not chains(article):
        return sentence("This article's key records no attribution chain.")
    rows = [[chain_text(chain), id_ranges(ids), str(len(ids))] for chain, ids in chains(article)]
    return _table(["chain: source → … → page", "sentences", "n"], rows)


def composition(article: Article, answers: Mapping[str, str] | None = None) -> Block:
    """How many units carry each label (the key's, or ``answers``)."""
    labels = answers if answers is not None else {e.id: e.label for e in article.key or ()}
    total = len(article.sentences)
    rows, rows_html = [], []
    for label in article.codebook.labels:
        n = sum(1 for sid in article.ids if labels.get(sid) == label.id)
        rows.append([label.name, str(n), f"{100 * n / total:.0f}%"])
        rows_html.append([f"{swatch(label.color)} {_esc(label.name)}", str(n), f"{100 * n / total:.0f}%"])
    return _table(["label", "units", "share"], rows, rows_html)


def upstream(article: Article) -> Block:
    """The outlets the article relies on, with links: where a reader would check."""
    if not article.upstream:
        return sentence("No upstream outlets have been entered for this article yet.")
    items_html = "".join(f'<li><a href="{_esc(u["url"])}" target="_blank" rel="noopener">{_esc(u["name"])}'
                         f"</a>: {_esc(u['what'])}</li>" for u in article.upstream)
    text = "\n".join(f"- {u['name']} ({u['url']}): {u['what']}" for u in article.upstream)
    return Block(f"<ul>{items_html}</ul>", text)


def compare(article: Article, answers: Mapping[str, str]) -> Block:
    """The units where ``answers`` differ from the key, with the codebook's reason."""
    from reportkit.feedback import judge_label

    if not any(answers.get(sid) for sid in article.ids):
        return Block("<p>Nothing tagged yet.</p>", "Nothing tagged yet.")
    rows = []
    for unit in article.sentences:
        verdict = judge_label(keyed(article.key)[unit.id], answers.get(unit.id), article.codebook,
                              reveal=True)
        if verdict.status != "correct":
            rows.append([unit.id, verdict.given or "—", verdict.status, verdict.message])
    if not rows:
        return Block("<p>Every unit matches the key.</p>", "Every unit matches the key.")
    return _table(["unit", "yours", "verdict", "why"], rows)


def quotes_table(article: Article) -> Block:
    """Every unit with quotation marks: what is inside them, and whether the key calls it a quote."""
    rows = []
    for unit in article.sentences:
        quoted = [m.group(0) for m in QUOTE_RE.finditer(unit.text)]
        if not quoted:
            continue
        label = article.key[unit.id].label if article.key is not None else "?"
        share = sum(len(q) for q in quoted) / len(unit.text)
        rows.append([unit.id, " … ".join(quoted), f"{100 * share:.0f}%",
                     article.codebook.label(label).name.lower() if label != "?" else "?"])
    if not rows:
        return Block("<p>No unit of this article contains quotation marks.</p>",
                     "No unit of this article contains quotation marks.")
    return _table(["unit", "inside the quotation marks", "of the sentence", "key's label"], rows)


def cues_table(article: Article) -> Block:
    """The reporting cues of the report grouped by stance (neutral, distancing, endorsing)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in article.key or ():
        a = entry.attribution
        if a.cue and entry.label != "furniture":
            groups.setdefault((a.cue_stance or "", a.cue.lower()), []).append(entry.id)
    if not groups:
        return Block("<p>The key records no reporting cue in this article.</p>",
                     "The key records no reporting cue in this article.")
    order = {"neutral": 0, "distancing": 1, "endorsing": 2}
    rows = [[stance, f"“{cue}”", id_ranges(ids)]
            for (stance, cue), ids in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[1][0]))]
    return _table(["stance", "cue", "sentences"], rows)


# ---------------------------------------------------------------- the machine baseline (lesson 08)

_NO_KEY = Block("<p><i>The key is not in this bundle: the baseline cannot be compared with it.</i></p>",
                "(The key is not in this bundle: the baseline cannot be compared with it.)")


def run_baseline(article: Article, *rules: Any) -> list[Any]:
    """The baseline's proposals for every unit, in order, with learner ``rules`` applied after it
    (``rule(text, previous)``; see :mod:`reportkit.baseline`)."""
    from reportkit.baseline import propose_article

    return propose_article(article, rules)


def score_baseline(article: Article, proposals: Iterable[Any]) -> Any:
    """Precision, recall, F1 and the confusion counts of ``proposals`` against the key (a ``Scores``)."""
    from reportkit.baseline import evaluate

    if article.key is None:
        raise ValueError("the key is not in this bundle: the baseline cannot be scored")
    gold = {entry.id: entry.label for entry in article.key}
    return evaluate(gold, {p.id: p.label for p in proposals}, list(article.codebook.label_ids))


def scores_table(article: Article, scores: Any) -> Block:
    """Per label: precision, recall, F1, how many units the key gives it and how many were proposed."""
    rows, rows_html = [], []
    for label in article.codebook.labels:
        if label.id not in scores.precision:
            continue
        proposed = sum(n for (_, given), n in scores.confusion.items() if given == label.id)
        cells = [f"{scores.precision[label.id]:.2f}", f"{scores.recall[label.id]:.2f}", f"{scores.f1[label.id]:.2f}",
                 str(scores.support[label.id]), str(proposed)]
        rows.append([label.name, *cells])
        rows_html.append([f"{swatch(label.color)} {_esc(label.name)}", *cells])
    total = sum(scores.support.values())
    right = round(scores.accuracy * total)
    table = _table(["label", "precision", "recall", "F1", "in the key", "proposed"], rows, rows_html)
    note = f"Accuracy: {scores.accuracy:.2f} ({right} of {total} units get the key's label)."
    return table + Block(f'<p style="{MUTED}">{_esc(note)}</p>', note)


def misses_table(article: Article, proposals: Iterable[Any]) -> Block:
    """Every unit the proposals get wrong: its text, the key's label and rationale, the label given and
    the baseline rule that fired."""
    from reportkit.baseline import misses

    if article.key is None:
        return _NO_KEY
    gold = {entry.id: entry.label for entry in article.key}
    found = misses(gold, proposals)
    if not found:
        return Block("<p>Every unit gets the key's label.</p>", "Every unit gets the key's label.")
    names = {label.id: label for label in article.codebook.labels}
    rows_html, texts = [], []
    for miss in found:
        key, given = names[miss.key_label], names[miss.label]
        sentence = article.sentence(miss.id).text
        rationale = article.key[miss.id].rationale
        rows_html.append([f"<code>{miss.id}</code>", _esc(sentence),
                          f"{swatch(key.color)} {_esc(key.name.lower())}",
                          f"{swatch(given.color)} {_esc(given.name.lower())}<br>"
                          f'<span style="{MUTED}">rule: {_esc(miss.reason)}</span>',
                          _esc(rationale)])
        texts.append(f"{miss.id}  key: {key.name.lower()} · machine: {given.name.lower()} ({miss.reason})\n"
                     f"     {sentence}\n     The key: {rationale}")
    head = "".join(f'<th style="text-align:left">{_esc(h)}</th>'
                   for h in ("unit", "sentence", "the key", "the machine", "why the key says so"))
    body = "".join("<tr>" + "".join(f'<td style="text-align:left;vertical-align:top">{c}</td>' for c in row)
                   + "</tr>" for row in rows_html)
    return Block(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
                 f"{len(found)} units the machine gets wrong:\n" + "\n".join(texts))


def show_misses(article: Article, proposals: Iterable[Any]) -> Block:
    """Every unit the proposals get wrong, each with the unit before it (what a reader has just
    read), marked as :func:`show` marks them without the key."""
    from reportkit.baseline import misses

    if article.key is None:
        return _NO_KEY
    found = misses({entry.id: entry.label for entry in article.key}, proposals)
    if not found:
        text = "The machine gets every unit of this article right: there is no miss to read."
        return Block(f"<p>{_esc(text)}</p>", text)
    ids: list[str] = []
    for miss in found:
        at = article.ids.index(miss.id)
        ids += [sid for sid in article.ids[max(0, at - 1): at + 1] if sid not in ids]
    return show(article, *ids, key=False)


def rule_effect(article: Article, *rules: Any) -> Block:
    """What learner ``rules`` change when added to the baseline: each unit fixed, broken or still wrong."""
    from reportkit.baseline import RuleError, effect

    if article.key is None:
        return _NO_KEY
    gold = {entry.id: entry.label for entry in article.key}
    before = run_baseline(article)
    try:
        after = run_baseline(article, *rules)
    except RuleError as error:
        return Block(f"<p><b>The rule failed.</b> {_esc(error)}</p>", f"The rule failed. {error}")
    changes = effect(gold, before, after)
    old = {p.id: p.label for p in before}
    new = {p.id: p.label for p in after}
    name = {label.id: label.name.lower() for label in article.codebook.labels}
    verdicts = {**{s: "fixed" for s in changes.fixed}, **{s: "broken" for s in changes.broken},
                **{s: "still wrong" for s in changes.still_wrong}}
    n_misses = sum(1 for sid in gold if old[sid] != gold[sid])
    summary = (f"Fixes {len(changes.fixed)} of the baseline's {n_misses} misses; breaks {len(changes.broken)} "
               f"units it had right; {len(changes.still_wrong)} changed but still wrong.")
    if not verdicts:
        summary = "The rule changes no label."
    rows = [[sid, name[old[sid]], name[new[sid]], name[gold[sid]], verdicts[sid]]
            for sid in article.ids if sid in verdicts]
    table = _table(["unit", "baseline", "with the rule", "the key", "verdict"], rows) if rows else Block("", "")
    return Block(f"<p>{_esc(summary)}</p>", summary) + table


def menu_table(question: Any) -> Block:
    """A 'causes' question's menu: each cause id with what it means (``check.questions["q08_1"]``)."""
    rows = [[choice["id"], choice["text"]] for choice in question.spec.get("choices", [])]
    rows_html = [[f"<code>{_esc(cause)}</code>", _esc(text)] for cause, text in rows]
    return _table(["cause id", "what it means"], rows, rows_html)


# A lesson's "try it" cells: tries per (article, unit) in this kernel, and the last answer given.
_TRIES: dict[tuple[str, str], tuple[int, str]] = {}


def try_label(article: Article, sid: str, label: object) -> Block:
    """A "try it" inside a lesson: the check's box for one unit's label, escalating like a check
    (a changed answer is a new try: the distinction, the deciding words, then the key's answer).
    It never stops the cell: lessons run top to bottom. ``sid`` is a unit id, or a lesson section
    id ("02.try"): the section's first unit, or its one sentence when the article has none."""
    from reportkit.checks import Result, is_blank
    from reportkit.checkview import render_html, render_text
    from reportkit.feedback import judge_label

    if "." in sid:
        chosen = units(article, sid)
        if not chosen:
            return note(article, sid)
        sid = chosen[0]
    if is_blank(label) or not isinstance(label, str):
        labels = ", ".join(f'"{label_id}"' for label_id in article.codebook.label_ids)
        prompt = Result(sid, 0, 1, False, f"which label fits {sid}? Put one in place of ... (one of {labels}) "
                        f"and run the cell again.\n{sid}: “{article.sentence(sid).text}”")
        return Block(render_html(prompt, "prompt"), render_text(prompt, "prompt"))
    tries, last = _TRIES.get((article.id, sid), (0, ""))
    tries += label != last
    _TRIES[(article.id, sid)] = (tries, label)
    entry = keyed(article.key)[sid]
    verdict = judge_label(entry, label, article.codebook, attempt=tries, text=article.sentence(sid).text,
                          newsmaker=article.newsmaker)
    why = f"\nWhy: {entry.rationale}" if verdict.ok else ""
    result = Result(sid, int(verdict.ok), 1, verdict.ok, f"Try it · {verdict.message}{why}")
    return Block(render_html(result, "right" if verdict.ok else "wrong").split("<style>")[0], render_text(result))


# ---------------------------------------------------------------- sections chosen from the data
# Lessons 01–05 and 07 ask for sections by id (reportkit.sections): the units come from
# article.json's "lessons" overrides or from the key, so the same notebook runs on any article.


def units(article: Article, section_id: str) -> list[str]:
    """The units a lesson section shows (article.json's choice, else the key's)."""
    from reportkit import sections

    return sections.units(article, section_id)


def note(article: Article, section_id: str) -> Block:
    """A lesson section's note alone: the article's own prose, else drafted from the key."""
    from reportkit import sections

    return markdown(sections.note(article, section_id))


def section(article: Article, section_id: str, *, explained: bool = False, key: bool = True) -> Block:
    """A lesson section: its note, then its units marked up (and the key's verdict on them when
    ``explained``). An article with nothing for the section gets the one sentence that says so.
    A section whose lesson shows it otherwise (lesson 09's comparisons) is shown its own way."""
    from reportkit import sections

    show_own = sections.renderer(section_id)
    if show_own is not None:
        return show_own(article, section_id)
    chosen = units(article, section_id)
    block = note(article, section_id)
    if chosen:
        block += show(article, *chosen, key=key)
    if chosen and explained:
        block += explain(article, *chosen)
    return block


# ---- lesson 03


def verdict(article: Article, section_id: str, *, with_note: bool = True) -> Block | None:
    """A lesson section told through the key: its note, then the key's verdict on its units, without
    marking them up (the lesson quotes them, or showed them in the cell above). ``with_note=False``
    gives the verdict alone, and nothing (no output) when the section has no unit: the cell above
    already said so."""
    chosen = units(article, section_id)
    if not with_note:
        return explain(article, *chosen) if chosen else None
    block = note(article, section_id)
    return block + explain(article, *chosen) if chosen else block


# ---- lesson 01

def passage(article: Article, section_id: str) -> Block:
    """The page as :func:`read` shows it, from the last unit of the report before the section's
    first unit (page furniture in between included) to that unit; the section's one sentence
    when the article has nothing for it."""
    from reportkit.sections.choose import report_unit_before

    chosen = units(article, section_id)
    if not chosen:
        return note(article, section_id)
    return read(article, report_unit_before(article, chosen[0]), chosen[0])


def first_verdict(article: Article, section_id: str) -> Block:
    """The key's verdict on a section's first unit, its worked case (the others are left for the
    learner); one short sentence when the article has nothing for the section."""
    chosen = units(article, section_id)
    if not chosen:
        return markdown("Nothing to explain here: the cell above says why.")
    return explain(article, chosen[0])


# ---- lesson 02

def note_then(article: Article, section_id: str, block: Block) -> Block:
    """A section's note, then ``block`` (a table about it); only the one sentence that says so when
    the article has nothing for the section, so no empty table is shown."""
    if not units(article, section_id):
        return note(article, section_id)
    return note(article, section_id) + block
