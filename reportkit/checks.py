"""Check cells: score a learner's answer to a question and explain mistakes in codebook terms.

A notebook creates a checker once (``check = Checker(ARTICLE)``) and calls
``check("q02_1", q02_1)`` in each check cell. The check prints what is right and why the
rest is wrong, shows progress on multi-part answers ("3 of 4 right"), and raises
AssertionError while anything is wrong, so nbval marks the cell failed. A blank answer never
passes. Hints get more specific with each try; no check names the full answer on the first.

``score()`` is the pure part, shared with the grader, which re-scores recorded answers with
the instructor's key outside the learner's kernel.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
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
    kind: str  # ids | label | text | chain | number | tagging
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
                 "ids": [], "tagging": []}[item["kind"]]
        for field in needs:
            if field not in item:
                problems.append(Problem(shown, record, field, f"required for a {item['kind']!r} question"))
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
            return 'give a list of names from the source to this page, like ["A", "B", "Kyiv Post"].'
    elif question.kind == "number":
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return "give a number (no quotation marks)."
    elif question.kind == "tagging":
        labels_given = getattr(answer, "answers", answer)
        if not isinstance(labels_given, dict):
            return "pass the tagger (or its .answers)."
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
            lines.append(f"{sid}: defensible. {article.key[sid].alternative(label).note}")
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


_SCORERS = {"ids": _score_ids, "label": _score_label, "text": _score_text, "chain": _score_chain,
            "number": _score_number, "tagging": _score_tagging}


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
