"""Questions generated from an article's key: one template per question a lesson asks, for any article.

``python -m reportkit questions ARTICLE`` instantiates every template for the article and writes
the questions to its ``questions.json`` for the author to read and edit; exercises for that
article are generated from them (:mod:`reportkit.exercisegen`) and graded like the hand-written ones.

A template picks units from what the key records (a quote's speaker, a cue's stance, a channel,
a hedged figure) and writes a prompt that names the unit but not the answer. The answer stays in
the key: the scorer reads it from there (``checks.key_answer``), so correcting the key corrects
the questions. A template that finds nothing in the article asks nothing; a generated question
whose key answer would not score in full is dropped, with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.article import Article, load_article, reviewed_figures
from reportkit.datafiles import find_kit_root
from reportkit.key import LabelId
from reportkit.sections import choose

Record = dict[str, Any]
# Lessons whose questions are generated; 06 (tagging) is written by `new`, 08 and 09 by hand.
GENERATED_LESSONS = ("00", "01", "02", "03", "04", "05", "07")
STANCES = ("neutral", "distancing", "endorsing")


@dataclass(frozen=True)
class Template:
    """One question a lesson asks of any article: ``make`` returns its records (without ids)."""

    lesson: str
    name: str
    make: Callable[[Article], list[Record]]


def _label(article: Article, label: str) -> str:
    return article.codebook.label(label).name.lower()


def _first(ids: list[str]) -> str | None:
    return ids[0] if ids else None


def _entry(article: Article, sid: str) -> Any:
    assert article.key is not None
    return article.key[sid]


# ---------------------------------------------------------------- the templates, lesson by lesson


def label_of(sid: str | None, prompt: str) -> list[Record]:
    return [{"kind": "label", "sentence": sid, "points": 1, "prompt": prompt}] if sid else []


def ids_with_label(article: Article, label: str, prompt: str, points: int = 2) -> list[Record]:
    label = LabelId(label).value
    if not choose.by_label(article, label):
        return []
    return [{"kind": "ids", "key_label": label, "points": points, "prompt": prompt}]


def start_label(article: Article) -> list[Record]:
    sid = _first(choose.by_label(article, LabelId.FURNITURE) or choose.by_label(article, LabelId.NARRATION))
    return label_of(sid, f"Which label fits {sid}? Give one label id as text, e.g. \"quote\".")


def start_paragraph(article: Article) -> list[Record]:
    """A paragraph with a direct quote and at least one unit that is not: which are quotes?"""
    for number, paragraph in enumerate(article.paragraphs(), start=1):
        ids = [s.id for s in paragraph]
        labels = {_entry(article, sid).label for sid in ids}
        if LabelId.QUOTE in labels and len(labels) > 1:
            listed = ", ".join(ids)
            return [{"kind": "ids", "key_label": LabelId.QUOTE.value, "within": ids, "points": 1,
                     "prompt": f"Paragraph {number} has {len(ids)} units, {listed}. Which of them are direct "
                               "quotes? Give a list of ids."}]
    return []


def furniture_ids(article: Article) -> list[Record]:
    return ids_with_label(article, LabelId.FURNITURE,
                          "List every unit of the page that is page furniture, not part of the report.")


def after_furniture(article: Article) -> list[Record]:
    """The first unit of the report after a stretch of furniture: the reader must skip the furniture."""
    ids = article.ids
    for before, sid in zip(ids, ids[1:], strict=False):
        if _entry(article, before).label == LabelId.FURNITURE and _entry(article, sid).label != LabelId.FURNITURE:
            return label_of(sid, f"{sid} comes right after page furniture. Which label fits it?")
    return []


def quote_ids(article: Article) -> list[Record]:
    return ids_with_label(article, LabelId.QUOTE, "List every sentence of the article that is a direct quote.")


def partial_quote(article: Article) -> list[Record]:
    sid = _first(choose.by_rule(article, "R2"))
    return label_of(sid, f"{sid} contains words inside quotation marks. Which label fits it?")


def continued_quote(article: Article) -> list[Record]:
    sid = _first(choose.by_rule(article, "Q2", LabelId.QUOTE))
    return label_of(sid, f"{sid} has no reporting verb of its own. Which label fits it?")


def _with_source(article: Article, ids: list[str]) -> str | None:
    return _first([sid for sid in ids if _entry(article, sid).attribution.source])


def quote_speaker(article: Article) -> list[Record]:
    sid = _with_source(article, choose.by_label(article, LabelId.QUOTE))
    if sid is None:
        return []
    return [{"kind": "text", "sentence": sid, "field": "source", "points": 1, "rule": "Q1",
             "prompt": f"Whose words does {sid} quote? Give the speaker's name."}]


def chain_of(article: Article, ids: list[str], prompt: str) -> list[Record]:
    """A chain question on the unit with the longest channel (at least source and page)."""
    longest = [sid for sid in choose.by_chain_length(article, 2) if sid in ids]
    if not longest:
        return []
    sid = longest[0]
    return [{"kind": "chain", "sentence": sid, "points": 2, "prompt": prompt.format(sid=sid)}]


def quote_chain(article: Article) -> list[Record]:
    return chain_of(article, choose.by_label(article, LabelId.QUOTE),
                    "Through whom do {sid}'s words reach you? Give the chain as a list, from the speaker to "
                    "the page you read.")


def cue_stance(article: Article) -> list[Record]:
    """The cue of a reported claim, preferring one that is not neutral (the lesson's point)."""
    sid = _first(choose.by_stance(article, "distancing") + choose.by_stance(article, "endorsing")
                 + [s for s in choose.by_stance(article, "neutral") if _entry(article, s).label == LabelId.REPORTED])
    if sid is None:
        return []
    cue = _entry(article, sid).attribution.cue
    return [{"kind": "text", "sentence": sid, "field": "cue_stance", "points": 1,
             "prompt": f"What is the stance of the cue “{cue}” in {sid}: {', '.join(STANCES[:-1])} or "
                       f"{STANCES[-1]}?"}]


def claim_source(article: Article) -> list[Record]:
    reported = choose.by_label(article, LabelId.REPORTED)
    sid = _with_source(article, choose.combine(choose.by_rule(article, "R4", LabelId.REPORTED), reported))
    if sid is None:
        return []
    return [{"kind": "text", "sentence": sid, "field": "source", "points": 1,
             "prompt": f"Who is the source of the claim in {sid}? Give the name the sentence uses."}]


def source_type(article: Article) -> list[Record]:
    """How the article identifies a source: an unnamed one teaches most."""
    from reportkit.authoring import source_types

    unnamed = [sid for sid in article.ids if _entry(article, sid).attribution.source_type == "unnamed person"]
    typed = [sid for sid in choose.by_label(article, LabelId.REPORTED) if _entry(article, sid).attribution.source_type]
    sid = _first(unnamed + typed)
    if sid is None:
        return []
    types = source_types()
    return [{"kind": "text", "sentence": sid, "field": "source_type", "points": 1, "rule": "R5",
             "prompt": f"What type of source does {sid} name for its content: {', '.join(types[:-1])} or "
                       f"{types[-1]}?"}]


def claim_chain(article: Article) -> list[Record]:
    return chain_of(article, choose.by_label(article, LabelId.REPORTED),
                    "Through whom does the claim in {sid} reach you? Give the chain as a list, from the source "
                    "to the page you read.")


def analysis_ids(article: Article) -> list[Record]:
    return ids_with_label(article, LabelId.ANALYSIS, "List every sentence of the article that is third-party analysis.")


def analysis_source(article: Article) -> list[Record]:
    sid = _with_source(article, choose.by_label(article, LabelId.ANALYSIS))
    if sid is None:
        return []
    return [{"kind": "text", "sentence": sid, "field": "source", "points": 1, "rule": "A1",
             "prompt": f"Whose interpretation does {sid} report? Give the source the sentence names."}]


def own_authority(article: Article) -> list[Record]:
    return ids_with_label(article, LabelId.NARRATION, "List the sentences the reporter states on their own "
                          "authority, naming no source for them (the reporter's voice).")


# Figures a number question asks about: counts and amounts, not periods or dates ("over a year ago").
ASKED_FIGURE_KINDS = ("count", "share", "amount")


def _reviewed_figures(article: Article) -> list[Any]:
    return [f for f in reviewed_figures(article) if f.value is not None]


def figure_numbers(article: Article) -> list[Record]:
    """Up to three figures of the reviewed ledger, hedged ones first: what number does the unit give?"""
    asked = [f for f in _reviewed_figures(article) if f.kind in ASKED_FIGURE_KINDS]
    figures = sorted(asked, key=lambda f: not f.hedge)[:3]
    return [{"kind": "number", "figure": f.id, "points": 1,
             "prompt": f"What number does {f.sentence} give for {f.counts}? Give a number."} for f in figures]


def figure_hedge(article: Article) -> list[Record]:
    hedged = [f for f in _reviewed_figures(article) if f.hedge]
    if not hedged:
        return []
    figure = hedged[0]
    parts = [p.strip() for p in figure.hedge.split("…") if p.strip()]
    return [{"kind": "text", "sentence": figure.sentence, "field": "hedges", "points": 1,
             "expected": parts[0], "aliases": parts[1:],
             "explain": f"“{figure.hedge}” qualifies “{figure.text}” ({figure.counts}): the sentence does not give it "
                        "as an exact figure.",
             "prompt": f"Copy a word or phrase from {figure.sentence} that makes “{figure.text}” less than certain."}]


def hedged_units(article: Article) -> list[Record]:
    """Which units hedge a figure? Asked only when some figures are hedged and some are not."""
    figures = _reviewed_figures(article)
    hedged = [sid for sid in article.ids if any(f.sentence == sid and f.hedge for f in figures)]
    plain = [sid for sid in article.ids if any(f.sentence == sid and not f.hedge for f in figures)]
    if not hedged or not [sid for sid in plain if sid not in hedged]:
        return []
    return [{"kind": "ids", "expected": hedged, "points": 2,
             "prompt": "Which sentences give a figure with a hedge, a word that makes the figure less than "
                       "certain? Give a list of ids."}]


def count_of(article: Article, label: str) -> list[Record]:
    label = LabelId(label).value
    if not choose.by_label(article, label):
        return []
    return [{"kind": "number", "key_label": label, "points": 1,
             "prompt": f"How many of the article's {len(article.ids)} units have the label “{label}” "
                       f"({_label(article, label)})? Give a number."}]


def cited_outlet(article: Article) -> list[Record]:
    """The outlet the page names as where a source's words first appeared (a channel of three or more)."""
    sid = _first(choose.by_chain_length(article, 3))
    if sid is None:
        return []
    return [{"kind": "text", "sentence": sid, "field": "outlet", "points": 1,
             "prompt": f"In {sid}, which outlet does {article.outlet} name as where the words first appeared?"}]


TEMPLATES: tuple[Template, ...] = (
    Template("00", "label", start_label),
    Template("00", "paragraph-quotes", start_paragraph),
    Template("01", "furniture", furniture_ids),
    Template("01", "after-furniture", after_furniture),
    Template("02", "quotes", quote_ids),
    Template("02", "partial-quote", partial_quote),
    Template("02", "continued-quote", continued_quote),
    Template("02", "speaker", quote_speaker),
    Template("02", "quote-chain", quote_chain),
    Template("03", "cue-stance", cue_stance),
    Template("03", "claim-source", claim_source),
    Template("03", "source-type", source_type),
    Template("03", "claim-chain", claim_chain),
    Template("04", "analysis", analysis_ids),
    Template("04", "analysis-source", analysis_source),
    Template("04", "own-authority", own_authority),
    Template("05", "figures", figure_numbers),
    Template("05", "hedge", figure_hedge),
    Template("05", "hedged-units", hedged_units),
    Template("07", "furniture-count", lambda a: count_of(a, LabelId.FURNITURE)),
    Template("07", "reported-count", lambda a: count_of(a, LabelId.REPORTED)),
    Template("07", "cited-outlet", cited_outlet),
)


# ---------------------------------------------------------------- instantiating them


@dataclass
class Generated:
    """What generation made: the questions (with ids) and what it dropped or skipped, and why."""

    questions: list[Record]
    dropped: list[tuple[str, str]]  # (template, why)


def generate(article: Article) -> Generated:
    """Every template's questions for ``article``, numbered per lesson, each checked against the key."""
    from reportkit.checks import Question, key_answer, score

    made: list[Record] = []
    dropped: list[tuple[str, str]] = []
    counters: dict[str, int] = {}
    for template in TEMPLATES:
        records = template.make(article)
        if not records:
            dropped.append((f"{template.lesson}.{template.name}", "the article has nothing it asks about"))
        for record in records:
            number = counters.get(template.lesson, 0) + 1
            qid = f"q{template.lesson}_{number}"
            question = Question(qid, record["kind"], record["prompt"], record["points"], record, article)
            answer = key_answer(question, article)
            if answer in (None, [], "") or not score(question, answer, article, 1).passed:
                dropped.append((f"{template.lesson}.{template.name}", f"the key's answer ({answer!r}) does not score"))
                continue
            counters[template.lesson] = number
            made.append({"id": qid, **record})
    return Generated(made, dropped)


def unanswerable(article: Article) -> list[tuple[str, str]]:
    """(question id, why) for each data-determined question whose key answer no longer scores in full
    (the key changed after `questions` ran: e.g. the unit it asks about lost the feature it asked)."""
    from reportkit.checks import key_answer, load_questions, score

    found = []
    for question in load_questions(article).values():
        if question.kind not in DATA_KINDS:
            continue
        answer = key_answer(question, article)
        if answer in (None, [], "") or not score(question, answer, article, 1).passed:
            found.append((question.id, f"the key gives no answer that scores ({answer!r}): reword or delete it, or "
                                       f"run `python -m reportkit questions {article.id} --force`"))
    return found


DATA_KINDS = ("ids", "label", "text", "chain", "number")  # kinds whose answer the key and ledger determine


def lesson_of(question_id: str) -> str:
    """'q02_3' -> '02'."""
    return question_id[1:3]


def merged(existing: list[Record], generated: list[Record]) -> list[Record]:
    """The article's questions with the generated lessons' replaced (tagging, 08, 09 kept)."""
    kept = [q for q in existing if lesson_of(q["id"]) not in GENERATED_LESSONS]
    return sorted([*kept, *generated], key=lambda q: (lesson_of(q["id"]), int(q["id"].split("_")[1])))


def write_questions(article_id: str, *, root: Path | None = None, force: bool = False) -> Generated:
    """Generate the questions and write them into ``data/ARTICLE/questions.json``.

    Refuses (FileExistsError) to replace questions of the generated lessons already there unless
    ``force``: the author may have edited them."""
    root = root or find_kit_root()
    article = load_article(article_id, root)
    path = root / "data" / article_id / "questions.json"
    existing = json.loads(path.read_text("utf-8"))["questions"] if path.is_file() else []
    ours = [q["id"] for q in existing if lesson_of(q["id"]) in GENERATED_LESSONS]
    if ours and not force:
        raise FileExistsError(f"data/{article_id}/questions.json already has questions {', '.join(ours)}; "
                              "run again with --force to replace them (your edits to them are lost)")
    made = generate(article)
    document = {"questions": merged(existing, made.questions)}
    from reportkit.authoring import write_json

    write_json(path, document)
    from reportkit.checks import load_questions

    load_questions(load_article(article_id, root))  # the file must still load (DataError lists problems)
    return made


# ---------------------------------------------------------------- command line


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("questions", help="generate an article's questions from its key, for review",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("article", metavar="ARTICLE", help="an article id with a reviewed key")
    parser.add_argument("--force", action="store_true",
                        help="replace the generated lessons' questions already in questions.json")
    parser.set_defaults(func=_cmd_questions)


def _cmd_questions(args: argparse.Namespace) -> int:
    from reportkit.checks import Question, key_answer
    from reportkit.errors import DataError

    try:
        made = write_questions(args.article, force=args.force)
    except (FileExistsError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    article = load_article(args.article)
    print(f"Wrote {len(made.questions)} questions to data/{args.article}/questions.json. Read each prompt and "
          "its key answer; edit the file to reword a prompt, change points or delete a question:")
    for record in made.questions:
        question = Question(record["id"], record["kind"], record["prompt"], record["points"], record, article)
        print(f"  {record['id']:<7} {record['kind']:<6} {record['points']:>2} pt  {record['prompt']}")
        print(f"  {'':<7} key answer: {key_answer(question, article)!r}")
    for where, why in made.dropped:
        print(f"  not asked: {where}: {why}")
    print(f"Next: python -m reportkit release --article {args.article} --out DIR")
    return 0
