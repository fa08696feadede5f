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
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from reportkit.article import Article, load_article
from reportkit.datafiles import read_json
from reportkit.errors import DataError, Problem, display_path
from reportkit.feedback import judge_label

RESULT_MIME = "application/vnd.reportkit.check+json"
BLANKS = (None, Ellipsis, "", [], {}, ())


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # ids | label | text | chain | number | tagging | causes | rule
    prompt: str
    points: float
    spec: dict[str, Any]


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
    """Questions of an article (``data/<id>/questions.json``), checked against its data."""
    path = article.data_dir / "questions.json"
    shown = display_path(path, article.root)
    problems: list[Problem] = []
    doc = read_json(path, "questions", problems, shown)
    if doc is None:
        raise DataError(problems)
    questions: dict[str, Question] = {}
    figure_ids = {f.id for f in article.figures}
    for number, item in enumerate(doc["questions"], start=1):
        record = f"'{item['id']}' (#{number})"
        if item["id"] in questions:
            problems.append(Problem(shown, record, "id", f"duplicate id {item['id']!r}"))
        for field in ("sentence",):
            if field in item and item[field] not in article.ids:
                problems.append(Problem(shown, record, field, f"no sentence {item[field]!r}"))
        for sid in item.get("within", []):
            if sid not in article.ids:
                problems.append(Problem(shown, record, "within", f"no sentence {sid!r}"))
        if "key_label" in item and item["key_label"] not in article.codebook.label_ids:
            problems.append(Problem(shown, record, "key_label", f"unknown label {item['key_label']!r}"))
        if article.key is not None and "figure" in item and item["figure"] not in figure_ids:
            problems.append(Problem(shown, record, "figure", f"no figure {item['figure']!r}"))
        if "rule" in item and item["rule"] not in {r.id for r in article.codebook.rules}:
            problems.append(Problem(shown, record, "rule", f"unknown rule {item['rule']!r}"))
        needs = {"label": ["sentence"], "text": ["sentence", "field"], "chain": ["sentence"],
                 "number": [] if "key_label" in item or "expected" in item else ["figure"],
                 "ids": [], "tagging": [], "causes": ["choices"], "rule": []}[item["kind"]]
        for field in needs:
            if field not in item:
                problems.append(Problem(shown, record, field, f"required for a {item['kind']!r} question"))
        if item["kind"] == "causes":
            causes = {c["id"] for c in item.get("choices", [])}
            for choice in item.get("choices", []):
                if "rule" in choice and choice["rule"] not in {r.id for r in article.codebook.rules}:
                    problems.append(Problem(shown, record, "choices", f"unknown rule {choice['rule']!r}"))
            for sid, cause in item.get("expected", {}).items():
                if sid not in article.ids:
                    problems.append(Problem(shown, record, "expected", f"no sentence {sid!r}"))
                if cause not in causes:
                    problems.append(Problem(shown, record, "expected", f"{sid}: {cause!r} is not one of the choices"))
        spec = {k: v for k, v in item.items() if k not in ("id", "kind", "prompt", "points")}
        questions[item["id"]] = Question(item["id"], item["kind"], item["prompt"], item["points"], spec)
    if problems:
        raise DataError(problems)
    return questions


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
    """Score one answer. ``attempt`` (1, 2, …) makes hints more specific; never raises."""
    if is_blank(answer):
        return _result(question, 0, _total(question, article), False,
                       f"{question.id}: not answered yet. {question.prompt}")
    form_problem = _form_problem(question, answer, article)
    if form_problem:
        return _result(question, 0, _total(question, article), False, f"{question.id}: {form_problem}")
    if article.key is None:
        return Result(question.id, 0, 0, True,
                      f"{question.id}: answer recorded; your instructor's key will score it.",
                      0.0, question.points, form_only=True)
    scorer = _SCORERS[question.kind]
    return scorer(question, answer, article, attempt)


def _result(question: Question, right: int, total: int, passed: bool, message: str) -> Result:
    share = right / total if total else 0.0
    return Result(question.id, right, total, passed, message, round(question.points * share, 2), question.points)


def _total(question: Question, article: Article) -> int:
    if article.key is None:
        return 0
    if question.kind == "ids":
        return len(_expected_ids(question, article))
    if question.kind == "tagging":
        return len(article.sentences)
    if question.kind == "chain":
        return len(article.key[question.spec["sentence"]].attribution.channel)
    if question.kind == "causes":
        return len(question.spec.get("expected", {}))
    return 1


def _form_problem(question: Question, answer: Any, article: Article) -> str | None:
    labels = article.codebook.label_ids
    if question.kind == "ids":
        if isinstance(answer, str) or not isinstance(answer, (list, tuple, set)):
            return 'give a list of sentence ids, like ["s03", "s04"].'
        unknown = [a for a in answer if a not in article.ids]
        if unknown:
            return f"{', '.join(map(str, unknown))}: no such sentence id (ids run s01 to {article.ids[-1]})."
    elif question.kind == "label":
        if answer not in labels:
            return f"{answer!r} is not a label; choose one of {', '.join(labels)}."
    elif question.kind in ("text",):
        if not isinstance(answer, str):
            return "give your answer as text in quotation marks."
    elif question.kind == "chain":
        if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
            return (f'give a list of names from the source to this page, like ["A", "B", '
                    f'{json.dumps(article.outlet, ensure_ascii=False)}].')
    elif question.kind == "number":
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return "give a number (no quotation marks)."
    elif question.kind == "tagging":
        labels_given = getattr(answer, "answers", answer)
        if not isinstance(labels_given, dict):
            return "pass the tagger (or its .answers)."
    elif question.kind == "causes":
        causes = [c["id"] for c in question.spec["choices"]]
        if not isinstance(answer, dict):
            return f'give a dictionary from sentence id to cause id, like {{"s01": "{causes[0]}"}}.'
        unknown = [str(a) for a in answer if a not in article.ids]
        if unknown:
            return f"{', '.join(unknown)}: no such sentence id (ids run s01 to {article.ids[-1]})."
        off_menu = [f"{sid}: {cause!r}" for sid, cause in answer.items() if cause not in causes]
        if off_menu:
            return (f"{'; '.join(off_menu)} is not a cause on the menu; choose one of "
                    f"{', '.join(causes)}.")
    elif question.kind == "rule":
        return _rule_form_problem(question.id, answer, article)
    return None


def _expected_ids(question: Question, article: Article) -> list[str]:
    if "expected" in question.spec:
        return list(question.spec["expected"])
    within = question.spec.get("within") or article.ids
    return [sid for sid in within if article.key[sid].label == question.spec["key_label"]]


def _score_ids(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    expected = _expected_ids(question, article)
    label = question.spec.get("key_label")
    given = list(dict.fromkeys(answer))  # keep order, drop repeats
    # A sentence for which `label` is an accepted alternative may be included or left out.
    tolerated = {sid for sid in article.ids if label and sid not in expected and article.key[sid].accepts(label)}
    right = [sid for sid in given if sid in expected]
    wrong = [sid for sid in given if sid not in expected and sid not in tolerated]
    missing = [sid for sid in expected if sid not in given]
    codebook = article.codebook
    lines = [f"{question.id}: {len(right)} of {len(expected)} found."]
    for sid in wrong:
        if label:
            lines.append(judge_label(article.key[sid], label, codebook, reveal=attempt >= 3).message)
        else:
            lines.append(f"{sid} does not belong here.")
    for sid in given:
        if sid in tolerated:
            alternative = article.key[sid].alternative(label)  # None: the key's own label, not asked here
            lines.append(f"{sid}: defensible." + (f" {alternative.note}" if alternative else ""))
    if missing:
        hint = f"{len(missing)} still missing."
        if attempt >= 3:
            hint += f" Look again at {', '.join(missing)}."
        elif label:
            rules = Counter(r for sid in missing for r in article.key[sid].rules
                            if codebook.rule(r).label in (label, "any"))
            if rules:
                hint += " " + codebook.rule(rules.most_common(1)[0][0]).cite()
        lines.append(hint)
    n_right = max(0, len(right) - len(wrong))
    passed = not wrong and not missing
    if passed:
        lines = [f"{question.id}: all {len(expected)} right."] + [line for line in lines if ": defensible." in line]
    return _result(question, n_right, len(expected), passed, "\n".join(lines))


def _score_label(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = article.key[question.spec["sentence"]]
    verdict = judge_label(entry, answer, article.codebook, reveal=attempt >= 2)
    message = f"{question.id}: {verdict.message}"
    if verdict.ok:
        message += f"\nWhy: {entry.rationale}"
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
        o = _tokens(option)
        if not o:
            continue
        if g == o or (g <= o and g - _GENERIC) or o <= g:
            return True
    return False


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


def _first_rule(question: Question, entry: Any, article: Article) -> str:
    """What a first wrong try is told: a codebook rule, or the codebook's cue stances."""
    field = question.spec.get("field")
    if field == "cue_stance" and "rule" not in question.spec:
        stances = _cue_stances(article)
        # the definitions without their example verbs, which would give the answer away
        return "Cue stances: " + "; ".join(f"{name}: {text.split(':')[0]}" for name, text in stances.items()) + "."
    if field == "hedges" and "rule" not in question.spec:
        return ("A hedge is a word that makes a claim less certain or marks it as an estimate "
                "(around, estimated, suggests, might, could).")
    rule_id = question.spec.get("rule") or (entry.rules[0] if entry.rules else None)
    if not rule_id:
        return ""
    rule = article.codebook.rule(rule_id)
    expected, _ = _expected_text(question, entry) if question.kind == "text" else (None, [])
    if expected and normalise(str(expected)) in normalise(rule.text):
        # the rule's own example would give the answer away: name the rule, not its text
        return f"Rule {rule.id} ({rule.title}) decides this: read it in the codebook."
    return rule.cite()


def _cue_stances(article: Article) -> dict[str, str]:
    path = article.root / "data" / "codebook.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")).get("cue_stances", {}))
    except (OSError, ValueError):
        return {}


def _score_text(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = article.key[question.spec["sentence"]]
    expected, aliases = _expected_text(question, entry)
    ok = expected is not None and _names_match(answer, str(expected), aliases)
    explain = question.spec.get("explain", entry.rationale)
    if ok:
        return _result(question, 1, 1, True, f"{question.id}: right, {expected}. {explain}")
    lines = [f"{question.id}: not {answer!r}. {_first_rule(question, entry, article)}"]
    if attempt >= 2 and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    if attempt >= 3:
        lines.append(f"The key's answer: {expected}. {explain}")
    return _result(question, 0, 1, False, "\n".join(lines))


def _score_chain(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    entry = article.key[question.spec["sentence"]]
    expected = list(question.spec.get("expected", entry.attribution.channel))
    aliases = question.spec.get("aliases", [])
    given = [str(a) for a in answer]
    link_aliases = [[a for a in aliases if _alias_of(a, e)] for e in expected]
    right = sum(1 for g, e, al in zip(given, expected, link_aliases, strict=False) if _names_match(g, e, al))
    passed = right == len(expected) and len(given) == len(expected)
    if passed:
        return _result(question, right, len(expected), True,
                       f"{question.id}: right: {' → '.join(expected)}.")
    lines = [f"{question.id}: {right} of {len(expected)} links in the right place."]
    if len(given) != len(expected):
        lines.append(f"The chain has {len(expected)} links, from the source to the page you read; "
                     f"yours has {len(given)}.")
    if expected and given and not _names_match(given[0], expected[0], link_aliases[0]):
        lines.append("Start with who first said it, not with an outlet that carried it.")
    if expected and given and not _names_match(given[-1], expected[-1], link_aliases[-1]):
        lines.append(f"End with the page you are reading ({expected[-1]}).")
    if attempt >= 2 and question.spec.get("hint"):
        lines.append(f"Hint: {question.spec['hint']}")
    if attempt >= 3:
        lines.append(f"The key's chain: {' → '.join(expected)}.")
        if entry.attribution.channel_note:
            lines.append(entry.attribution.channel_note)
    return _result(question, right, len(expected), False, "\n".join(lines))


def _score_number(question: Question, answer: Any, article: Article, attempt: int) -> Result:
    spec = question.spec
    figure = next((f for f in article.figures if f.id == spec.get("figure")), None)
    if "expected" in spec:
        expected = spec["expected"]
    elif "key_label" in spec:  # a count of the key's sentences with one label
        within = spec.get("within") or article.ids
        expected = sum(1 for sid in within if article.key[sid].label == spec["key_label"])
    else:
        expected = figure.value if figure else None
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
    verdicts = [judge_label(article.key[s.id], labels_given.get(s.id), article.codebook,
                            reveal=attempt >= 3) for s in article.sentences]
    right = sum(v.ok for v in verdicts)
    total = len(verdicts)
    untagged = [v.sentence for v in verdicts if v.status == "missing"]
    per_label = []
    for label in allowed:
        ids = [e.id for e in article.key if e.label == label]
        if ids:
            got = sum(1 for sid in ids if article.key[sid].accepts(labels_given.get(sid) or ""))
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
        entry = article.key[sid]
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


def _rule_form_problem(name: str, answer: Any, article: Article) -> str | None:
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
    lookups = _lookups(evidence, article)
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

    gold = {e.id: e.label for e in article.key}
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
        lines.append(f"Fixed {sid}: now {names[new[sid]]}, as the key says. {article.key[sid].rationale}")
    shown = 4
    for sid in changes.broken[:shown]:
        entry = article.key[sid]
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


_SCORERS = {"ids": _score_ids, "label": _score_label, "text": _score_text, "chain": _score_chain,
            "number": _score_number, "tagging": _score_tagging, "causes": _score_causes, "rule": _score_rule}


class Checker:
    """``check = Checker(ARTICLE)``; then ``check("q02_1", answer)`` in each check cell."""

    def __init__(self, article: str | Article, root: Path | None = None) -> None:
        self.article = article if isinstance(article, Article) else load_article(article, root, require_key=False)
        self.questions = load_questions(self.article)
        self.attempts: Counter[str] = Counter()

    def __call__(self, question_id: str, answer: Any) -> Result:
        try:
            question = self.questions[question_id]
        except KeyError:
            raise KeyError(f"no question {question_id!r} for article {self.article.id!r}") from None
        if not is_blank(answer):
            self.attempts[question_id] += 1
        result = score(question, answer, self.article, max(1, self.attempts[question_id]))
        _show(result)
        if not result.passed:
            # The full explanation is shown above; the traceback only names the question.
            raise AssertionError(f"{question_id} is not right yet: read the explanation above.")
        return result

    def preview(self, question_id: str, answer: Any) -> None:
        """Show what ``check`` would say about an answer, without stopping the cell or counting a try."""
        _show(score(self.questions[question_id], answer, self.article, 1))

    def total(self) -> float:
        """The points all the article's questions are worth together."""
        return sum(q.points for q in self.questions.values())


def _show(result: Result) -> None:
    """Print the message and publish the result for the grader (a custom MIME output)."""
    try:
        from IPython.display import display
    except ImportError:  # plain Python: the printed text is enough
        print(result.message)
        return
    mark = "✔" if result.passed else "✘"
    display({RESULT_MIME: result.as_dict(), "text/plain": f"{mark} {result.message}"}, raw=True)
