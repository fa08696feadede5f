"""Check cells: score a learner's answer to a question and explain mistakes in codebook terms.

A notebook creates a checker once (``check = Checker(ARTICLE)``) and calls
``check("q02_1", q02_1)`` in each check cell. The check prints what is right and why the
rest is wrong, shows progress on multi-part answers ("3 of 4 right"), and raises
AssertionError while anything is wrong, so nbval marks the cell failed. A blank answer never
passes. Hints get more specific with each try; no check names the full answer on the first.

``score()`` is the pure part, shared with the grader, which re-scores recorded answers with
the instructor's key outside the learner's kernel. A rule answer (lesson 08) is a function the
grader does not run: its recorder calls :func:`record_rule` in the kernel (the labels the baseline
with the rule proposes, from the text alone, and the rule's source and evidence), and ``score()``
takes the :class:`RecordedRule` in its place.
"""

from __future__ import annotations

import ast
import difflib
import dis
import inspect
import json
import re
import textwrap
import types
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from reportkit import checkview
from reportkit.article import Article, load_article
from reportkit.checkview import RESULT_MIME  # noqa: F401 - re-exported for the grader and tests
from reportkit.datafiles import read_json
from reportkit.errors import DataError, Problem, display_path
from reportkit.feedback import ANSWER, DECIDING_WORDS, Verdict, judge_label
from reportkit.key import Key, keyed

BLANKS: tuple[Any, ...] = (None, Ellipsis, "", [], {}, ())


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # a key of KINDS
    prompt: str
    points: float
    spec: dict[str, Any]
    # The article the question was loaded for: form checks read its ids and labels from it.
    article: Article | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Result:
    question: str
    right: int
    total: int
    passed: bool
    message: str
    points: float = 0.0
    max_points: float = 0.0
    form_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_questions(article: Article) -> dict[str, Question]:
    """Questions of an article (``data/<id>/questions.json``), checked against its data and their kind."""
    path = article.data_dir / "questions.json"
    shown = display_path(path, article.root)
    problems: list[Problem] = []
    doc = read_json(path, "questions", problems, shown)
    if doc is None:
        raise DataError(problems)
    questions: dict[str, Question] = {}
    for number, item in enumerate(doc["questions"], start=1):
        record = f"'{item['id']}' (#{number})"
        if item["id"] in questions:
            problems.append(Problem(shown, record, "id", f"duplicate id {item['id']!r}"))
        problems += [Problem(shown, record, f, why) for f, why in _reference_problems(item, article)]
        shape = KINDS[item["kind"]].shape_problems(item, keyless=article.key is None)
        problems += [Problem(shown, record, f, why) for f, why in shape]
        spec = {k: v for k, v in item.items() if k not in ("id", "kind", "prompt", "points")}
        questions[item["id"]] = Question(item["id"], item["kind"], item["prompt"], item["points"], spec, article)
    if problems:
        raise DataError(problems)
    return questions


def _reference_problems(item: dict[str, Any], article: Article) -> list[tuple[str, str]]:
    """(field, why) for each sentence, label, figure or rule a question names that the article lacks."""
    found: list[tuple[str, str]] = []
    if "sentence" in item and item["sentence"] not in article.ids:
        found.append(("sentence", f"no sentence {item['sentence']!r}"))
    found += [("within", f"no sentence {sid!r}") for sid in item.get("within", []) if sid not in article.ids]
    if "key_label" in item and item["key_label"] not in article.codebook.label_ids:
        found.append(("key_label", f"unknown label {item['key_label']!r}"))
    if article.key is not None and "figure" in item and item["figure"] not in {f.id for f in article.figures}:
        found.append(("figure", f"no figure {item['figure']!r}"))
    rule_ids = {r.id for r in article.codebook.rules}
    if "rule" in item and item["rule"] not in rule_ids:
        found.append(("rule", f"unknown rule {item['rule']!r}"))
    found += [("choices", f"unknown rule {c['rule']!r}") for c in item.get("choices", [])
              if "rule" in c and c["rule"] not in rule_ids]
    if item["kind"] == "causes":
        causes = {c["id"] for c in item.get("choices", [])}
        for sid, cause in item.get("expected", {}).items():
            if sid not in article.ids:
                found.append(("expected", f"no sentence {sid!r}"))
            if cause not in causes:
                found.append(("expected", f"{sid}: {cause!r} is not one of the choices"))
    return found


def normalise(text: str) -> str:
    """Case, accents, quotes and punctuation folded, so 'Zelensky' matches 'zelensky.'."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def is_blank(answer: Any) -> bool:
    """True for the placeholders an exercise ships with (``...``, None, "", [], {}) and an empty tagger."""
    answer = getattr(answer, "answers", answer)
    try:
        return answer in BLANKS or (isinstance(answer, str) and not answer.strip())
    except (TypeError, ValueError):  # e.g. numpy arrays refuse ==
        return False


def score(question: Question, answer: Any, article: Article, attempt: int = 1) -> Result:
    """Score one answer through its kind (``KINDS``). ``attempt`` (1, 2, 3…) makes feedback more
    specific: 1 the distinction, 2 the deciding words, 3 the answer. Pure: never raises, reads no kernel."""
    kind = KINDS[question.kind]
    if question.article is not article:
        question = replace(question, article=article)
    if is_blank(answer):
        return _result(question, 0, kind.total(question, article), False,
                       f"{question.id}: not answered yet. {question.prompt}")
    form_problem = kind.form_problem(question, answer)
    if form_problem:
        return _result(question, 0, kind.total(question, article), False, f"{question.id}: {form_problem}")
    if article.key is None:
        return Result(question.id, 0, 0, True,
                      f"{question.id}: answer recorded; your instructor's key will score it.",
                      0.0, question.points, form_only=True)
    return kind.score(question, answer, article, attempt)


def _key(article: Article) -> Key:
    """The article's key; scorers run only with one (``score`` answers form-only without it)."""
    return keyed(article.key)


def _result(question: Question, right: int, total: int, passed: bool, message: str) -> Result:
    share = right / total if total else 0.0
    return Result(question.id, right, total, passed, message, round(question.points * share, 2), question.points)


def _one(question: Question, article: Article) -> int:
    return 1


def _ids_in_article(question: Question, answer: Any) -> str | None:
    """Why ``answer`` holds ids the question's article does not have (None if it knows no article)."""
    article = question.article
    if article is None:
        return None
    unknown = [str(a) for a in answer if a not in article.ids]
    if unknown:
        return f"{', '.join(unknown)}: no such sentence id (ids run s01 to {article.ids[-1]})."
    return None


def _ids_form(question: Question, answer: Any) -> str | None:
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set)):
        return 'give a list of sentence ids, like ["s03", "s04"].'
    return _ids_in_article(question, answer)


def _label_form(question: Question, answer: Any) -> str | None:
    labels = question.article.codebook.label_ids if question.article else ()
    if labels and answer not in labels:
        return f"{answer!r} is not a label; choose one of {', '.join(labels)}."
    return None


def _text_form(question: Question, answer: Any) -> str | None:
    return None if isinstance(answer, str) else "give your answer as text in quotation marks."


def _chain_form(question: Question, answer: Any) -> str | None:
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        outlet = question.article.outlet if question.article else "the outlet you read"
        page = json.dumps(outlet, ensure_ascii=False)
        return f'give a list of names from the source to this page, like ["A", "B", {page}].'
    return None


def _number_form(question: Question, answer: Any) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return "give a number (no quotation marks)."
    return None


def _tagging_form(question: Question, answer: Any) -> str | None:
    return None if isinstance(getattr(answer, "answers", answer), dict) else "pass the tagger (or its .answers)."


def _causes_form(question: Question, answer: Any) -> str | None:
    causes = [c["id"] for c in question.spec["choices"]]
    if not isinstance(answer, dict):
        return f'give a dictionary from sentence id to cause id, like {{"s01": "{causes[0]}"}}.'
    unknown = _ids_in_article(question, answer)
    if unknown:
        return unknown
    off_menu = [f"{sid}: {cause!r}" for sid, cause in answer.items() if cause not in causes]
    if off_menu:
        return f"{'; '.join(off_menu)} is not a cause on the menu; choose one of {', '.join(causes)}."
    return None


def _rule_form(question: Question, answer: Any) -> str | None:
    return _rule_form_problem(question.id, answer, question.article)


def _expected_ids(question: Question, article: Article) -> list[str]:
    if "expected" in question.spec:
        return list(question.spec["expected"])
    within = question.spec.get("within") or article.ids
    return [sid for sid in within if _key(article)[sid].label == question.spec["key_label"]]


def _score_ids(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    expected = _expected_ids(question, article)
    label = question.spec.get("key_label")
    given = list(dict.fromkeys(answer))  # keep order, drop repeats
    # A sentence for which `label` is an accepted alternative may be included or left out.
    tolerated = {sid for sid in article.ids if label and sid not in expected and _key(article)[sid].accepts(label)}
    right = [sid for sid in given if sid in expected]
    wrong = [sid for sid in given if sid not in expected and sid not in tolerated]
    missing = [sid for sid in expected if sid not in given]
    codebook = article.codebook
    lines = [f"{question.id}: {len(right)} of {len(expected)} found."]
    for sid in wrong:
        if label:
            lines.append(_judge(article, sid, label, attempt).message)
        else:
            lines.append(f"{sid} does not belong here.")
    for sid in given:
        alternative = _key(article)[sid].alternative(label or "")
        if sid in tolerated and alternative is not None:
            lines.append(f"{sid}: defensible. {alternative.note}")
    if missing:
        hint = f"{len(missing)} still missing."
        if attempt >= 3:
            hint += f" Look again at {', '.join(missing)}."
        elif label:
            rules = Counter(r for sid in missing for r in _key(article)[sid].rules
                            if codebook.rule(r).label in (label, "any"))
            if rules:
                hint += " " + codebook.rule(rules.most_common(1)[0][0]).cite()
        lines.append(hint)
    n_right = max(0, len(right) - len(wrong))
    passed = not wrong and not missing
    if passed:
        lines = [f"{question.id}: all {len(expected)} right."] + [line for line in lines if ": defensible." in line]
    return _result(question, n_right, len(expected), passed, "\n".join(lines))


def _judge(article: Article, sid: str, given: str | None, attempt: int) -> Verdict:
    """The key's verdict on one unit's label, escalating with ``attempt`` (feedback.judge_label)."""
    return judge_label(_key(article)[sid], given, article.codebook, attempt=attempt,
                       text=article.sentence(sid).text, newsmaker=article.newsmaker)


def _score_label(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = _key(article)[question.spec["sentence"]]
    verdict = _judge(article, entry.id, answer, attempt)
    message = f"{question.id}: {verdict.message}"
    if verdict.ok:
        message += f"\nWhy: {entry.rationale}"
    elif attempt < ANSWER and question.spec.get("hint") and attempt >= DECIDING_WORDS:
        message += f"\nHint: {question.spec['hint']}"
    return _result(question, int(verdict.ok), 1, verdict.ok, message)


_FILLER = {"the", "a", "an", "of", "from", "by", "in", "s"}
_GENERIC = {"president", "former", "ukrainian", "ukraine", "unnamed", "news", "one", "person",
            "official", "source", "minister", "general", "secretary"}


def _tokens(name: str) -> set[str]:
    """The words of a name, without parentheses ('(unnamed)') and filler words."""
    return set(normalise(re.sub(r"\([^)]*\)", " ", name)).split()) - _FILLER


def _names_match(given: str, expected: str, aliases: list[str]) -> bool:
    """'Zelensky', 'President Zelensky' and 'the FT' (an alias) match; 'Kuleba' and 'he' do not.

    A name matches when it equals the expected name or an alias, when its distinctive words
    are all in it ('analysts' for 'military analysts (unnamed)'), or when it contains it whole.
    """
    g = _tokens(given)
    if not g:
        return False
    for option in (expected, *aliases):
        o = _spelled_as(_tokens(option), g)
        if not o:
            continue
        if g == o or (g <= o and g - _GENERIC) or o <= g:
            return True
    return False


def _spelled_as(words: set[str], given: set[str]) -> set[str]:
    """``words`` with each one the learner transliterated differently replaced by the learner's spelling:
    'Zelenskiy', 'Zelenskyy' and 'Zelenskyi' for 'Zelensky' (the same stem before a y/i/j ending)."""
    def stem(word: str) -> str:
        return re.sub(r"[yij]+$", "", word)

    def respell(word: str) -> str:
        return next((g for g in given if len(word) >= 5 and stem(g) == stem(word)), word)
    return {respell(word) for word in words}


def _alias_of(alias: str, name: str) -> bool:
    """Which link of a chain an alias names: it shares a word ('Table.Media'), is its initials
    ('FT') or a spelling of one of its words ('Zelenskyy')."""
    a, n = _tokens(alias), _tokens(name)
    initials = "".join(w[0] for w in normalise(name).split() if w not in _FILLER)
    if a & n or normalise(alias).replace(" ", "") == initials:
        return True
    return any(difflib.SequenceMatcher(None, x, y).ratio() >= 0.85 for x in a for y in n if len(x) >= 5)


def _expected_text(question: Question, entry: Any) -> tuple[str | None, list[str]]:
    """The key's answer to a text question and the other answers that count as the same."""
    aliases = list(question.spec.get("aliases", []))
    field = question.spec["field"]
    if "expected" in question.spec:
        return question.spec["expected"], aliases
    attribution = entry.attribution
    if field == "hedges":
        hedges = list(attribution.hedges)
        return (hedges[0] if hedges else None), aliases + hedges[1:]
    if field == "outlet":  # the outlet the page cites: the link just before the last
        channel = list(attribution.channel)
        return (channel[-2] if len(channel) >= 3 else None), aliases
    return getattr(attribution, field), aliases


# What each field of a text question asks for: a first wrong try is told this, not sent to the codebook.
FIELD_MEANING = {
    "source": "The source is whoever the sentence attributes its content to: the person or body its cue "
              "(said, told, according to…) points at, or, for a pronoun, the speaker the report is following.",
    "source_type": "The source type says how the article identifies the source: is it a person, and does the "
                   "article give a name? Or is it a body, an outlet or a document?",
    "cue": "The cue is the reporting verb or phrase that attributes the content (said, warned, according to…).",
    "hedges": "A hedge is a word that makes a claim less certain or marks it as an estimate "
              "(around, estimated, suggests, might, could).",
    "outlet": "The outlet asked for is the link between the source and the page you read: the one the page "
              "names as where the words first appeared.",
}


def _text_distinction(question: Question, answer: str, entry: Any, article: Article) -> str:
    """A first wrong try: what the question asks for, and what the learner's answer names instead."""
    field = question.spec.get("field", "")
    if field == "cue_stance":
        stances = _cue_stances(article)
        # the definitions without their example verbs, which would give the answer away
        meaning = "Cue stances: " + "; ".join(f"{name}: {text.split(':')[0]}" for name, text in stances.items()) + "."
    else:
        meaning = FIELD_MEANING.get(field, "")
    return " ".join(part for part in (_what_it_names(answer, entry, article), meaning) if part)


def _what_it_names(answer: str, entry: Any, article: Article) -> str:
    """Where the learner's name occurs instead: the page's own outlet, or units that are not this one."""
    if _names_match(answer, article.outlet, []):
        return f"{article.outlet} is the page you are reading: it passes the words on; it is not where they come from."
    words = set(normalise(answer).split()) - _FILLER - _GENERIC
    if not words:
        return ""
    found = [s.id for s in article.sentences if words <= set(normalise(s.text).split()) and s.id != entry.id]
    if not found or entry.id in found:
        return ""
    labels = {_key(article)[sid].label for sid in found}
    where = ", ".join(found[:4])
    if labels == {"furniture"}:
        return f"“{answer}” is named in {where}: page furniture, not this report."
    return f"“{answer}” is named in {where}, not as the source of {entry.id}."


def _rule_hint(question: Question, entry: Any, article: Article) -> str:
    """The codebook rule that decides a text question (named, not quoted, when its example is the answer)."""
    rule_id = question.spec.get("rule")
    if not rule_id:
        return ""
    rule = article.codebook.rule(rule_id)
    expected, _ = _expected_text(question, entry)
    if expected and normalise(str(expected)) in normalise(rule.text):
        return f"Rule {rule.id} ({rule.title}) decides this."
    return rule.cite()


def _cue_stances(article: Article) -> dict[str, str]:
    path = article.root / "data" / "codebook.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")).get("cue_stances", {}))
    except (OSError, ValueError):
        return {}


def _score_text(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = _key(article)[question.spec["sentence"]]
    expected, aliases = _expected_text(question, entry)
    ok = expected is not None and _names_match(answer, str(expected), aliases)
    explain = question.spec.get("explain", entry.rationale)
    if ok:
        return _result(question, 1, 1, True, f"{question.id}: right, {expected}. {explain}")
    lines = [f"{question.id}: not “{answer}”. {_text_distinction(question, answer, entry, article)}"]
    if attempt >= DECIDING_WORDS:
        lines += [line for line in (question.spec.get("hint") and f"Hint: {question.spec['hint']}",
                                    _rule_hint(question, entry, article)) if line]
    if attempt >= ANSWER:
        lines.append(f"The key's answer: {expected}. {explain}")
    return _result(question, 0, 1, False, "\n".join(lines))


NOT_STATED = {"not stated", "unknown", "not named", "unstated", "not said", "not given", "unclear", "not known"}


def _chain_node_ok(given: str, expected: str, aliases: list[str], inferred: bool) -> bool:
    """A link is right when it names the key's link; an inferred link may also be answered "not stated"."""
    if inferred and (normalise(given) in NOT_STATED or given.strip() in ("?", "…", "...")):
        return True
    return _names_match(given, expected, aliases)


def _score_chain(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = _key(article)[question.spec["sentence"]]
    attribution = entry.attribution
    expected = list(question.spec.get("expected", attribution.channel))
    inferred = set(attribution.inferred_nodes())
    aliases = question.spec.get("aliases", [])
    given = [str(a) for a in answer]
    link_aliases = [[a for a in aliases if _alias_of(a, e)] for e in expected]
    right = sum(1 for i, (g, e, al) in enumerate(zip(given, expected, link_aliases, strict=False))
                if _chain_node_ok(g, e, al, i in inferred))
    shown = " → ".join(f"{e} (inferred)" if i in inferred else e for i, e in enumerate(expected))
    inferences = [f"{expected[i]} is the reader's inference, not the article's. {attribution.link(i - 1).note}"
                  for i in sorted(inferred)]
    passed = right == len(expected) and len(given) == len(expected)
    if passed:
        return _result(question, right, len(expected), True,
                       "\n".join([f"{question.id}: right: {shown}.", *inferences]))
    lines = [f"{question.id}: {right} of {len(expected)} links in the right place."]
    if len(given) != len(expected):
        lines.append(f"The chain has {len(expected)} links, from the source to the page you read; "
                     f"yours has {len(given)}.")
    if expected and given and not _names_match(given[0], expected[0], link_aliases[0]):
        lines.append("Start with who first said it, not with an outlet that carried it.")
    if expected and given and not _names_match(given[-1], expected[-1], link_aliases[-1]):
        lines.append(f"End with the page you are reading ({expected[-1]}).")
    if inferred and attempt >= DECIDING_WORDS:
        lines.append("Where the article does not say who passed the words on, write \"not stated\" for that link.")
    if attempt >= DECIDING_WORDS and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    if attempt >= ANSWER:
        lines.append(f"The key's chain: {shown}.")
        lines += inferences or ([attribution.channel_note] if attribution.channel_note else [])
    return _result(question, right, len(expected), False, "\n".join(lines))


def _score_number(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    spec = question.spec
    figure = next((f for f in article.figures if f.id == spec.get("figure")), None)
    expected = _expected_number(question, article)
    ok = expected is not None and abs(float(answer) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))
    explain = spec.get("explain", "")
    if figure is None:
        if ok:
            return _result(question, 1, 1, True, f"{question.id}: right, {expected:g}. {explain}".rstrip())
        lines = [f"{question.id}: not {answer}. {question.prompt}"]
        if "key_label" in spec:
            label = article.codebook.label(spec["key_label"])
            lines.append(f"Count the sentences whose answer to “{label.question}” is yes.")
        if attempt >= 2 and spec.get("hint"):
            lines.append(f"Hint: {spec['hint']}")
        if attempt >= 3:
            lines.append(f"The key's answer: {expected:g}.")
        return _result(question, 0, 1, False, "\n".join(lines))
    sentence = article.sentence(figure.sentence)
    if ok:
        hedge = f" Hedged: “{figure.hedge}”." if figure.hedge else " The sentence does not hedge it."
        message = (f"{question.id}: right: “{figure.text}” — {figure.counts}, "
                   f"asserted by {figure.asserted_by}.{hedge} {explain}").rstrip()
        return _result(question, 1, 1, True, message)
    lines = [f"{question.id}: not {answer}. Read {sentence.id} again: what number counts {figure.counts}?"]
    if attempt >= 2:
        lines.append("Write words as digits: “two and a half” is 2.5, “1 million” is 1000000.")
    if attempt >= 3:
        lines.append(f"It is written as “{figure.text}”.")
    return _result(question, 0, 1, False, "\n".join(lines))


def _score_tagging(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    labels_given: dict[str, str] = dict(getattr(answer, "answers", answer))
    allowed = question.spec.get("labels") or list(article.codebook.label_ids)
    verdicts = [_judge(article, s.id, labels_given.get(s.id), attempt) for s in article.sentences]
    right = sum(v.ok for v in verdicts)
    total = len(verdicts)
    untagged = [v.sentence for v in verdicts if v.status == "missing"]
    per_label = []
    for label in allowed:
        ids = [e.id for e in _key(article) if e.label == label]
        if ids:
            got = sum(1 for sid in ids if _key(article)[sid].accepts(labels_given.get(sid) or ""))
            per_label.append(f"{article.codebook.label(label).name.lower()} {got}/{len(ids)}")
    lines = [f"{question.id}: {right} of {total} right ({', '.join(per_label)})."]
    if untagged:
        lines.append(f"{len(untagged)} not tagged yet: {', '.join(untagged[:8])}{' …' if len(untagged) > 8 else ''}.")
    wrong = [v for v in verdicts if v.status == "wrong"]
    lines += [v.message for v in wrong[:5]]
    if len(wrong) > 5:
        lines.append(f"… and {len(wrong) - 5} more to reconsider (press Check in the tagger to see them all).")
    share = question.spec.get("pass_share", 1.0)
    passed = not untagged and right >= share * total
    return _result(question, right, total, passed, "\n".join(lines))


def _score_causes(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    """Why did the machine fail? One cause id per sentence, from the question's menu of causes."""
    expected: dict[str, str] = dict(question.spec["expected"])
    menu = {c["id"]: c for c in question.spec["choices"]}
    given = dict(answer)
    right = [sid for sid in expected if given.get(sid) == expected[sid]]
    wrong = [sid for sid in expected if sid in given and given[sid] != expected[sid]]
    missing = [sid for sid in expected if sid not in given]
    extra = [sid for sid in given if sid not in expected]
    passed = not wrong and not missing and not extra
    if passed:
        lines = [f"{question.id}: all {len(expected)} right."]
        lines += [f"{sid}: {menu[expected[sid]]['text']}" for sid in expected]
        return _result(question, len(right), len(expected), True, "\n".join(lines))
    lines = [f"{question.id}: {len(right)} of {len(expected)} right."]
    for sid in extra:
        lines.append(f"{sid}: the machine got this one right; explain only the units it missed "
                     f"({', '.join(expected)}).")
    for sid in wrong:
        entry = _key(article)[sid]
        line = f"{sid}: not {given[sid]} (“{menu[given[sid]]['text']}”)."
        rule_id = menu[expected[sid]].get("rule") or (entry.rules[0] if entry.rules else None)
        line += f" {article.codebook.rule(rule_id).cite()}" if rule_id else ""
        if attempt >= 3:
            line += f" The key's answer: {expected[sid]} — {menu[expected[sid]]['text']} {entry.rationale}"
        lines.append(line)
    if missing:
        lines.append(f"Not answered yet: {', '.join(missing)}.")
    if attempt >= 2 and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    n_right = max(0, len(right) - len(extra))
    return _result(question, n_right, len(expected), False, "\n".join(lines))


# Module names whose objects carry the article or its key: a rule that reads them looks the answer up.
_ARTICLE_MODULES = ("reportkit.article", "reportkit.key", "reportkit.checks", "reportkit.tagger")
_MAX_SOURCE = 20_000  # characters of a rule's source kept in a grader's record
_MAX_STRINGS = 2_000  # strings of a rule's evidence kept in a grader's record


@dataclass(frozen=True)
class RuleEvidence:
    """What a rule is made of, for the "must generalise" test: the strings it uses (constants,
    defaults, closures, globals, helpers) and what it reads that names a unit (``.id``, the article)."""

    strings: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()

    def __add__(self, other: RuleEvidence) -> RuleEvidence:
        return RuleEvidence(self.strings + other.strings, tuple(dict.fromkeys(self.reads + other.reads)))


@dataclass(frozen=True)
class RecordedRule:
    """A rule answer as the grader's recorder saw it in the learner's kernel (:func:`record_rule`).

    The grader scores it in its own process, with the key, without running learner code: the
    labels the baseline with the rule proposed for every unit (or the error the rule raised), the
    rule's evidence, and its source, parsed (never run) for the same lookups the check looks for.
    """

    name: str
    source: str | None
    evidence: RuleEvidence
    signature_ok: bool
    labels: dict[str, str] | None
    error: str | None

    @classmethod
    def from_record(cls, record: Any) -> RecordedRule:
        """Read a recorder's dict; ValueError if it is not one (a grader's bug, or tampering)."""
        if not isinstance(record, dict):
            raise ValueError("the record is not a dictionary")

        def text_list(key: str) -> tuple[str, ...]:
            value = record.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key!r} is not a list of strings")
            return tuple(value[:_MAX_STRINGS])

        source, error, labels = record.get("source"), record.get("error"), record.get("labels")
        if source is not None and not isinstance(source, str):
            raise ValueError("'source' is not text")
        if error is not None and not isinstance(error, str):
            raise ValueError("'error' is not text")
        if labels is not None and not (isinstance(labels, dict)
                                       and all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
            raise ValueError("'labels' is not a dictionary of sentence ids to labels")
        signature_ok = record.get("signature_ok")
        if not isinstance(signature_ok, bool):
            raise ValueError("'signature_ok' is missing")
        if signature_ok and labels is None and error is None:
            raise ValueError("it holds neither labels nor an error")
        return cls(str(record.get("name") or "rule"), source[:_MAX_SOURCE] if source else None,
                   RuleEvidence(text_list("strings"), text_list("reads")), signature_ok,
                   dict(labels) if labels is not None else None, error)


def record_rule(rule: Any, article: Article) -> dict[str, Any]:
    """What the grader's recorder keeps of a rule answer, computed in the learner's kernel from the
    article's text alone (no key): its source and evidence, and the labels the baseline with the rule
    proposes for every unit, or the error it raised. Plain JSON; scored by :func:`score` as a
    :class:`RecordedRule`."""
    from reportkit.baseline import RuleError, propose_article

    record: dict[str, Any] = {"name": getattr(rule, "__name__", type(rule).__name__)}
    source = _rule_source(rule)
    record["source"] = source[:_MAX_SOURCE] if source else None
    evidence = rule_evidence(rule)
    record["strings"], record["reads"] = list(evidence.strings[:_MAX_STRINGS]), list(evidence.reads)
    record["signature_ok"] = _takes_two_arguments(rule)
    if record["signature_ok"]:
        try:
            proposals = propose_article(article, [rule])
        except RuleError as error:
            record["error"] = str(error)
        else:
            record["labels"] = {p.id: p.label for p in proposals}
    return record


def _takes_two_arguments(rule: Any) -> bool:
    try:
        inspect.signature(rule).bind("a sentence", None)
    except (TypeError, ValueError):
        return False
    return True


def _rule_source(rule: Any) -> str | None:
    try:
        return inspect.getsource(rule)
    except (OSError, TypeError):  # typed at a plain Python prompt, or built with exec
        return None


def _rule_form_problem(name: str, answer: Any, article: Article | None) -> str | None:
    """Why ``answer`` is not a rule the check can run: not a function, wrong arguments, or a lookup."""
    if isinstance(answer, RecordedRule):
        signature_ok = answer.signature_ok
        evidence = answer.evidence + source_evidence(answer.source)
    elif not isinstance(answer, types.FunctionType):
        return (f"write your rule as a function, `def {name}(text, previous):`, that returns a label id "
                f"or None, in place of `{name} = ...`.")
    else:
        signature_ok = _takes_two_arguments(answer)
        evidence = rule_evidence(answer)
    if not signature_ok:
        return "a rule takes two arguments, `(text, previous)`: the sentence and the unit before it."
    lookups = _lookups(evidence, article) if article is not None else []
    if lookups:
        return ("your rule looks this article up instead of recognising a pattern: "
                + "; ".join(lookups) + ". A rule must generalise: the next article has other sentences, "
                "other ids and other people. Describe what a reader sees in the text (a pronoun, a cue, a "
                "teaser's headline), not which sentence it is.")
    return None


def _strings(value: Any, depth: int = 0) -> list[str]:
    """The strings inside a constant or a global a rule uses (str, collections, compiled patterns)."""
    if depth > 4:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, re.Pattern):
        return [str(value.pattern)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k, depth + 1) + _strings(v, depth + 1)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [s for v in value for s in _strings(v, depth + 1)]
    return []


def rule_evidence(rule: types.FunctionType) -> RuleEvidence:
    """The evidence of a live rule: read from the compiled function, its defaults, closure and the
    globals it loads (helper functions too, so a list of ids kept in a global counts), plus its
    source text (:func:`source_evidence`). Needs no key: the grader's recorder runs it in the kernel."""
    strings: list[str] = []
    reads: list[str] = []
    seen: set[int] = set()

    def walk(function: types.FunctionType, depth: int) -> None:
        if id(function.__code__) in seen or depth > 3:
            return
        seen.add(id(function.__code__))
        strings.extend(_strings(list(function.__defaults__ or ()) + list((function.__kwdefaults__ or {}).values())))
        for cell in function.__closure__ or ():
            try:
                strings.extend(_strings(cell.cell_contents))
            except ValueError:  # an empty cell
                pass
        code_objects = [function.__code__]
        while code_objects:
            code = code_objects.pop()
            constants = list(code.co_consts)
            if code is function.__code__ and constants and constants[0] == function.__doc__:
                constants = constants[1:]  # the docstring may say anything
            for const in constants:
                if isinstance(const, types.CodeType):
                    code_objects.append(const)
                else:
                    strings.extend(_strings(const))
            for instruction in dis.get_instructions(code):
                if instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") and instruction.argval == "id":
                    reads.append("it reads a unit's `.id`")
                if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                    continue
                name = instruction.argval
                value = function.__globals__.get(name)
                if name == "ARTICLE" or type(value).__module__ in _ARTICLE_MODULES:
                    reads.append(f"it reads `{name}`")
                elif isinstance(value, types.FunctionType):
                    if not value.__module__.startswith("reportkit"):  # the kit's own helpers are general
                        walk(value, depth + 1)
                elif not isinstance(value, (types.ModuleType, type, types.BuiltinFunctionType)):
                    strings.extend(_strings(value))

    walk(rule, 0)
    return RuleEvidence(tuple(strings), tuple(dict.fromkeys(reads))) + source_evidence(_rule_source(rule))


def source_evidence(source: str | None) -> RuleEvidence:
    """The evidence in a rule's source text, parsed (never run): its string constants (docstrings
    left out), ``.id`` and ``ARTICLE``. Empty if the text does not parse."""
    if not source:
        return RuleEvidence()
    try:
        tree = ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return RuleEvidence()
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
                    first.value.value, str):
                docstrings.add(id(first.value))
    strings: list[str] = []
    reads: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            strings.append(node.value)
        elif isinstance(node, ast.Attribute) and node.attr == "id":
            reads.append("it reads a unit's `.id`")
        elif isinstance(node, ast.Name) and node.id == "ARTICLE":
            reads.append("it reads `ARTICLE`")
    return RuleEvidence(tuple(strings), tuple(dict.fromkeys(reads)))


def _lookups(evidence: RuleEvidence, article: Article) -> list[str]:
    """What in a rule's evidence names this article rather than a pattern: sentence ids (or reading
    ``.id``), five or more words copied from it, the people and outlets its key names, the article."""
    found = list(evidence.reads)
    ids = set(article.ids)
    texts = [(s.id, normalise(s.text)) for s in article.sentences]
    names = _article_names(article)
    for string in dict.fromkeys(evidence.strings):
        for sid in re.findall(r"\bs\d{2}\b", string):
            if sid in ids:
                found.append(f"it names sentence {sid}")
        words = normalise(string)
        if len(words.split()) >= 5:
            copied = [sid for sid, text in texts if f" {words} " in f" {text} "]
            if copied:
                found.append(f"it copies words of {copied[0]} (“{string[:50]}”)")
        for name, written in names.items():
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", words):
                found.append(f"it names {written}, a source of this article")
    return list(dict.fromkeys(found))


def _article_names(article: Article) -> dict[str, str]:
    """Surnames of the people the key names as sources, and the outlets the article relies on:
    normalised form -> the name as written."""
    names: dict[str, str] = {normalise(u["name"]): u["name"] for u in article.upstream if u.get("name")}
    for entry in article.key or ():
        a = entry.attribution
        if a.source and a.source_type == "named person":
            words = _core_name(a.source).split()
            if words and len(words[-1]) >= 4:
                names[normalise(words[-1])] = words[-1]
        elif a.source and a.source_type == "outlet":
            names[normalise(_core_name(a.source))] = _core_name(a.source).strip()
    names.pop(normalise(article.outlet), None)
    return {k: v for k, v in sorted(names.items()) if k}


def _core_name(name: str) -> str:
    return re.sub(r"\([^)]*\)", " ", name)


def _score_rule(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    """Run the baseline with the learner's rule: pass if it fixes a miss and breaks nothing.

    A :class:`RecordedRule` (the grader's) brings the labels the rule proposed in the learner's
    kernel; they are scored here exactly as a live rule's are, after checking that they cover every
    unit with a label (ids the article does not have are ignored).
    """
    from reportkit.baseline import LABELS, RuleError, propose_article

    before = propose_article(article)
    if isinstance(answer, RecordedRule):
        if answer.error is not None:  # it raised in the learner's kernel, when the grader ran it
            return _result(question, 0, 1, False, f"{question.id}: {answer.error} A rule must run on every unit "
                           "of the article (for the first, `previous` is None).")
        labels = answer.labels or {}
        unusable = [sid for sid in article.ids if labels.get(sid) not in LABELS]
        if unusable:
            return _result(question, 0, 1, False, (
                f"{question.id}: the grader's record of your rule is incomplete (no label for "
                f"{', '.join(unusable[:5])}{' …' if len(unusable) > 5 else ''}), so it cannot be scored; your "
                "instructor will read the rule."))
        after = [replace(p, label=labels[p.id]) for p in before]
    else:
        try:
            after = propose_article(article, [answer])
        except RuleError as error:
            return _result(question, 0, 1, False, f"{question.id}: {error} Fix the rule and run both cells again.")
    return _rule_verdict(question, article, before, after, attempt)


def _rule_verdict(question: Question, article: Article, before: list[Any], after: list[Any], attempt: int) -> Result:
    """The verdict on the baseline's labels (``before``) against those with the rule (``after``)."""
    from reportkit.baseline import effect

    gold = {e.id: e.label for e in _key(article)}
    names = {label.id: label.name.lower() for label in article.codebook.labels}
    changes = effect(gold, before, after)
    old = {p.id: p.label for p in before}
    new = {p.id: p.label for p in after}
    lines = []
    if not changes.changed:
        lines.append(f"{question.id}: your rule changed no label: for all {len(before)} units it returned "
                     "None or the label the baseline already gave.")
    else:
        lines.append(f"{question.id}: your rule fixes {len(changes.fixed)} of the baseline's "
                     f"{sum(1 for sid in gold if old[sid] != gold[sid])} misses and breaks {len(changes.broken)} "
                     "units it had right.")
    for sid in changes.fixed:
        lines.append(f"Fixed {sid}: now {names[new[sid]]}, as the key says. {_key(article)[sid].rationale}")
    shown = 4
    for sid in changes.broken[:shown]:
        entry = _key(article)[sid]
        line = (f"Broken {sid}: the baseline had it right ({names[old[sid]]}); your rule makes it "
                f"{names[new[sid]]}.")
        line += f" {article.codebook.rule(entry.rules[0]).cite()}" if entry.rules else ""
        if attempt >= 2:
            line += f" The key: {entry.rationale}"
        lines.append(line)
    if len(changes.broken) > shown:
        lines.append(f"… and {len(changes.broken) - shown} more broken: {', '.join(changes.broken[shown:])}.")
    for sid in changes.still_wrong:
        lines.append(f"Changed {sid}: from {names[old[sid]]} to {names[new[sid]]}, but the key says "
                     f"{names[gold[sid]]}.")
    passed = bool(changes.fixed) and not changes.broken
    if passed:
        lines.append("It generalises as far as this article can tell: try it on the next article you read.")
        return _result(question, 1, 1, True, "\n".join(lines))
    if changes.broken:
        lines.append("A rule must not break what the baseline had right: narrow it, so that it only fires on "
                     "what the units you want to fix have in common and the broken ones lack.")
    elif not changes.fixed:
        lines.append("Pick one miss from the table, read it as the baseline does (alone) and then with the unit "
                     "before it: what does a reader see there that the baseline does not?")
    if attempt >= 2 and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    if attempt >= 3 and question.spec.get("explain"):
        lines.append(f"One rule that works: {question.spec['explain']}")
    return _result(question, 0, 1, False, "\n".join(lines))


def _choice_pair(answer: Any) -> tuple[str, str]:
    """A choice answer as (option id, reason id): ``("b", 1)`` gives ``("b", "1")``."""
    return str(answer[0]).strip().lower(), str(answer[1]).strip()


def _choice_form(question: Question, answer: Any) -> str | None:
    options = [o["id"] for o in question.spec["options"]]
    reasons = [r["id"] for r in question.spec["reasons"]]
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return f'give a pair: the option you choose and the reason, like ("{options[0]}", {reasons[0]}).'
    option, reason = _choice_pair(answer)
    if option not in options:
        return f"{option!r} is not an option; choose one of {', '.join(options)}."
    if reason not in reasons:
        return f"{reason!r} is not a reason on the menu; choose one of {', '.join(reasons)}."
    return None


def _choice_total(question: Question, article: Article) -> int:
    return 2


def _score_choice(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    """A choice and the reason for it, each from a menu; each wrong pick is told why it is wrong."""
    option, reason = _choice_pair(answer)
    expected = question.spec["expected"]
    explain: dict[str, str] = question.spec.get("explain", {})
    texts = {x["id"]: x["text"] for x in (*question.spec["options"], *question.spec["reasons"])}
    right = int(option == expected["option"]) + int(reason == expected["reason"])
    if right == 2:
        why = explain.get(expected["reason"], "")
        return _result(question, 2, 2, True, f"{question.id}: right: {option}, because {texts[reason]} {why}".rstrip())
    lines = [f"{question.id}: {'the option is right' if option == expected['option'] else 'not the right option'}, "
             f"{'and the reason is right' if reason == expected['reason'] else 'and not the right reason'}."]
    for pick in (option, reason):
        if pick not in expected.values():
            lines.append(f"{pick} (“{texts[pick]}”): {explain.get(pick, 'it does not fit the sentence.')}")
    if attempt >= DECIDING_WORDS and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    if attempt >= ANSWER:
        lines.append(f"The key's answer: {expected['option']} (“{texts[expected['option']]}”), because "
                     f"{texts[expected['reason']]} {explain.get(expected['reason'], '')}".rstrip())
    return _result(question, right, 2, False, "\n".join(lines))


def _ids_total(question: Question, article: Article) -> int:
    return len(_expected_ids(question, article)) if article.key is not None else 0


def _tagging_total(question: Question, article: Article) -> int:
    return len(article.sentences) if article.key is not None else 0


def _chain_total(question: Question, article: Article) -> int:
    return len(_key(article)[question.spec["sentence"]].attribution.channel) if article.key is not None else 0


def _causes_total(question: Question, article: Article) -> int:
    return len(question.spec.get("expected", {})) if article.key is not None else 0


@dataclass(frozen=True)
class Kind:
    """One kind of question, in one place: the fields its records have, its form check and its scorer.

    ``form_problem(question, answer)`` says why an answer cannot be scored (needs no key);
    ``score(question, answer, article, attempt)`` is pure and gets a well-formed, non-blank answer.
    """

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    form_problem: Callable[[Question, Any], str | None]
    score: Callable[[Question, Any, Article, int], Result]
    total: Callable[[Question, Article], int] = _one
    one_of: tuple[str, ...] = ()  # at least one of these fields is required

    @property
    def schema(self) -> dict[str, Any]:
        """The kind's fragment of ``schemas/questions.json`` (an if/then on ``kind``)."""
        then: dict[str, Any] = {"required": list(self.required),
                                "propertyNames": {"enum": [*_COMMON, *self.required, *self.optional]}}
        if self.one_of:
            then["anyOf"] = [{"required": [name]} for name in self.one_of]
        return {"if": {"properties": {"kind": {"const": self.name}}}, "then": then}

    def shape_problems(self, item: dict[str, Any], keyless: bool = False) -> list[tuple[str, str]]:
        """(field, why) for each field the kind needs but ``item`` lacks, or has but the kind does not use.
        ``keyless``: a graded bundle, whose questions lost their answer fields."""
        allowed = {*_COMMON, *self.required, *self.optional}
        found = [(f, f"required for a {self.name!r} question") for f in self.required if f not in item]
        found += [(f, f"a {self.name!r} question has no field {f!r}") for f in item if f not in allowed]
        if self.one_of and not keyless and not any(f in item for f in self.one_of):
            found.append((self.one_of[0], f"a {self.name!r} question needs one of {', '.join(self.one_of)}"))
        return found


_COMMON = ("id", "kind", "prompt", "points")
_TEXTUAL = ("hint", "explain", "rule", "aliases", "expected")
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("ids", (), ("key_label", "within", "expected", "hint"), _ids_form, _score_ids, _ids_total,
         one_of=("key_label", "expected")),
    Kind("label", ("sentence",), ("hint",), _label_form, _score_label),
    Kind("text", ("sentence", "field"), _TEXTUAL, _text_form, _score_text),
    Kind("chain", ("sentence",), ("expected", "aliases", "hint", "explain"), _chain_form, _score_chain, _chain_total),
    Kind("number", (), ("figure", "key_label", "within", "expected", "hint", "explain"), _number_form,
         _score_number, one_of=("figure", "key_label", "expected")),
    Kind("tagging", (), ("exercise", "labels", "pass_share"), _tagging_form, _score_tagging, _tagging_total),
    Kind("causes", ("choices",), ("expected", "hint"), _causes_form, _score_causes, _causes_total),
    Kind("rule", (), ("hint", "explain"), _rule_form, _score_rule),
    Kind("choice", ("options", "reasons"), ("expected", "explain", "hint", "sentence", "figure"), _choice_form,
         _score_choice, _choice_total),
)}


def key_answer(question: Question, article: Article) -> Any:
    """The answer the key gives a question of a kind whose answer the data determines (ids, label,
    text, chain, number), or None (tagging, causes, rule, choice: written by hand). Generated
    solutions use it, and question generation checks each question's key answer scores in full."""
    spec = question.spec
    if question.kind == "ids":
        return _expected_ids(question, article)
    if question.kind == "label":
        return _key(article)[spec["sentence"]].label
    if question.kind == "text":
        return _expected_text(question, _key(article)[spec["sentence"]])[0]
    if question.kind == "chain":
        return list(spec.get("expected", _key(article)[spec["sentence"]].attribution.channel))
    if question.kind == "number":
        return _expected_number(question, article)
    return None


def _expected_number(question: Question, article: Article) -> float | None:
    spec = question.spec
    if "expected" in spec:
        return float(spec["expected"])
    if "key_label" in spec:  # a count of the key's sentences with one label
        within = spec.get("within") or article.ids
        return float(sum(1 for sid in within if _key(article)[sid].label == spec["key_label"]))
    figure = next((f for f in article.figures if f.id == spec.get("figure")), None)
    return figure.value if figure else None


class Checked(Result):
    """What a check cell returns: the result, shown once (by the box), not again as a repr."""

    def _ipython_display_(self) -> None:
        return None


class Checker:
    """``check = Checker(ARTICLE)``; then ``check("q02_1", answer)`` in each check cell.

    Each changed answer is a new try (feedback escalates: distinction, deciding words, answer);
    running the check again with the same answer repeats the same feedback. Works without the key
    (a graded bundle): then it checks form only.
    """

    def __init__(self, article: str | Article, root: Path | None = None) -> None:
        self.article = article if isinstance(article, Article) else load_article(article, root, require_key=False)
        self.questions = load_questions(self.article)
        self.attempts: Counter[str] = Counter()
        self._last_answer: dict[str, str] = {}
        checkview.install()

    def __call__(self, question_id: str, answer: Any) -> Result:
        try:
            question = self.questions[question_id]
        except KeyError:
            raise KeyError(f"no question {question_id!r} for article {self.article.id!r}") from None
        self._count_try(question_id, answer)
        result = score(question, answer, self.article, max(1, self.attempts[question_id]))
        checkview.show(result)
        if not result.passed:
            raise checkview.CheckFailed(f"{question_id} is not right yet: read the explanation above.")
        return Checked(**asdict(result))

    def _count_try(self, question_id: str, answer: Any) -> None:
        """A new, non-blank answer is one more try; the same answer again is not."""
        if is_blank(answer):
            return
        fingerprint = _fingerprint(answer)
        if self._last_answer.get(question_id) != fingerprint:
            self.attempts[question_id] += 1
            self._last_answer[question_id] = fingerprint

    def preview(self, question_id: str, answer: Any) -> None:
        """Show what ``check`` would say about an answer, without stopping the cell or counting a try."""
        checkview.show(score(self.questions[question_id], answer, self.article, 1))

    def total(self) -> float:
        """The points all the article's questions are worth together."""
        return sum(q.points for q in self.questions.values())


def _fingerprint(answer: Any) -> str:
    """What makes two answers the same try: their value (a tagger's labels, a rule's source)."""
    answer = getattr(answer, "answers", answer)
    if isinstance(answer, types.FunctionType):
        return _rule_source(answer) or repr(answer)
    if isinstance(answer, (set, frozenset)):
        return repr(sorted(map(repr, answer)))
    if isinstance(answer, dict):
        return repr(sorted((repr(k), _fingerprint(v)) for k, v in answer.items()))
    return repr(answer)
