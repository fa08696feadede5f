"""The codebook (labels and decision rules), the answer key and the figures ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from reportkit.datafiles import find_kit_root, read_json
from reportkit.errors import DataError, Problem, display_path


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    question: str
    definition: str
    color: str
    shortcut: str


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    title: str
    text: str

    def cite(self) -> str:
        """How checks and feedback quote a rule: 'Rule R2 (mixed quotes): ...'."""
        return f"Rule {self.id} ({self.title}): {self.text}"


@dataclass(frozen=True)
class Distinction:
    """What separates the key's label from the one a learner gave, and the rules that decide it."""

    key: str
    given: str
    text: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    labels: tuple[Label, ...]
    rules: tuple[Rule, ...]
    distinctions: tuple[Distinction, ...] = ()

    def distinction(self, key: str, given: str) -> Distinction | None:
        """The codebook's explanation for a learner who took ``key`` for ``given``, if it has one."""
        return next((d for d in self.distinctions if d.key == key and d.given == given), None)

    @property
    def label_ids(self) -> tuple[str, ...]:
        return tuple(label.id for label in self.labels)

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(f"unknown label {label_id!r}; the labels are {', '.join(self.label_ids)}")

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"unknown rule {rule_id!r}")


@dataclass(frozen=True)
class Alternative:
    label: str
    note: str


STATED, INFERRED = "stated", "inferred"
PLACEHOLDER_COUNTS = "(to fill in: what the number counts)"  # the figures proposer's 'counts' when it found none


class LabelId(str, Enum):
    """The codebook's label ids that code reasons about (feedback's deciding words); data/codebook.json
    defines them, and tests/test_checks.py checks the two agree."""

    QUOTE = "quote"
    REPORTED = "reported"
    ANALYSIS = "analysis"
    NARRATION = "narration"
    FURNITURE = "furniture"


@dataclass(frozen=True)
class Link:
    """A step of an attribution channel: ``stated`` (the article names it) or ``inferred`` (the
    reader's inference; ``note`` says from what)."""

    basis: str
    note: str = ""


@dataclass(frozen=True)
class Attribution:
    source: str | None
    source_type: str | None
    cue: str | None
    cue_stance: str | None
    channel: tuple[str, ...]
    channel_note: str = ""
    mixed_quotes: tuple[str, ...] = ()
    hedges: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()  # one per step of the channel; missing steps are stated

    def link(self, step: int) -> Link:
        """The basis of the step from ``channel[step]`` to ``channel[step + 1]`` (stated by default)."""
        return self.links[step] if step < len(self.links) else Link(STATED)

    def chain_nodes(self) -> tuple[tuple[str, bool], ...]:
        """The channel as (name, reached by an inferred step) pairs."""
        inferred = self.inferred_nodes()
        return tuple((name, i in inferred) for i, name in enumerate(self.channel))

    def inferred_nodes(self) -> tuple[int, ...]:
        """Positions in the channel reached by an inferred step: the reader's inference, not the article's."""
        return tuple(step + 1 for step in range(len(self.channel) - 1) if self.link(step).basis == INFERRED)


@dataclass(frozen=True)
class KeyEntry:
    id: str
    label: str
    accepted: tuple[Alternative, ...]
    rationale: str
    rules: tuple[str, ...]
    attribution: Attribution
    reviewed: bool = True
    feedback: dict[str, str] = field(default_factory=dict)  # given label -> what decides, for this unit

    def alternative(self, label: str) -> Alternative | None:
        return next((alt for alt in self.accepted if alt.label == label), None)

    def accepts(self, label: str) -> bool:
        """True if ``label`` is the key's label or a defensible alternative."""
        return label == self.label or self.alternative(label) is not None


@dataclass(frozen=True)
class Estimate:
    """Another party's estimate of a figure: who, where (an address) and its words, quoted exactly."""

    source: str
    address: str
    excerpt: str
    date: str | None = None


class FigureKind(str, Enum):
    """What a figure of the ledger is (figures.json's ``kind``; the schema lists the same values)."""

    COUNT = "count"
    AMOUNT = "amount"  # money
    SHARE = "share"
    PERIOD = "period"
    AGE = "age"
    DATE = "date"
    IDENTIFIER = "identifier"  # a number that names something ('123 Brigade'), not a quantity


@dataclass(frozen=True)
class Figure:
    id: str
    sentence: str
    text: str
    counts: str
    kind: str
    asserted_by: str
    channel: tuple[str, ...]
    hedge: str | None
    how_to_check: str
    value: float | None = None
    who_could_confirm: str | None = None
    independent_estimates: tuple[Estimate, ...] = ()
    reviewed: bool = True  # proposed by `new` until the author confirms it (files without the field: reviewed)


@dataclass(frozen=True)
class Key:
    entries: dict[str, KeyEntry] = field(default_factory=dict)

    def __getitem__(self, sentence_id: str) -> KeyEntry:
        return self.entries[sentence_id]

    def __iter__(self):  # noqa: ANN204 - iterator of KeyEntry
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def with_label(self, label: str) -> list[str]:
        """Ids of the sentences whose key label is ``label``, in article order."""
        return [e.id for e in self.entries.values() if e.label == label]


def keyed(key: Key | None) -> Key:
    """``key``, or a DataError when the bundle has none (a graded release): for code that needs the key."""
    if key is None:
        raise DataError([Problem("key.json", None, None, "this needs the answer key, which this bundle does not have")])
    return key


def load_codebook(root: Path | None = None) -> Codebook:
    """Load and check ``data/codebook.json``; raises DataError naming what is wrong."""
    root = root or find_kit_root()
    problems: list[Problem] = []
    path = root / "data" / "codebook.json"
    codebook = parse_codebook(path, problems, display_path(path, root))
    if problems or codebook is None:
        raise DataError(problems)
    return codebook


def parse_codebook(path: Path, problems: list[Problem], shown: str) -> Codebook | None:
    doc = read_json(path, "codebook", problems, shown)
    if doc is None:
        return None
    labels = tuple(Label(**item) for item in doc["labels"])
    rules = tuple(Rule(**item) for item in doc["rules"])
    distinctions = tuple(Distinction(d["key"], d["given"], d["text"], tuple(d["rules"]))
                         for d in doc.get("distinctions", []))
    label_ids = [label.id for label in labels]
    _no_duplicates(label_ids, shown, "id", problems)
    _no_duplicates([label.shortcut for label in labels], shown, "shortcut", problems)
    _no_duplicates([rule.id for rule in rules], shown, "id", problems)
    for rule in rules:
        if rule.label not in label_ids and rule.label != "any":
            problems.append(Problem(shown, f"'{rule.id}'", "label", f"unknown label {rule.label!r}"))
    rule_ids = {rule.id for rule in rules}
    for d in distinctions:
        record = f"'{d.key} taken for {d.given}'"
        unknown = [x for x in (d.key, d.given) if x not in label_ids] + [r for r in d.rules if r not in rule_ids]
        if unknown or d.key == d.given:
            problems.append(Problem(shown, record, "distinctions", f"unknown or repeated: {unknown or d.key}"))
    return Codebook(labels, rules, distinctions)


def _no_duplicates(values: list[str], shown: str, field_name: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            problems.append(Problem(shown, f"'{value}'", field_name, f"duplicate {field_name} {value!r}"))
        seen.add(value)


def _contains(haystack: str, needle: str) -> bool:
    return needle.casefold() in haystack.casefold()


def parse_key(
    path: Path,
    problems: list[Problem],
    shown: str,
    codebook: Codebook,
    sentence_texts: dict[str, str],
    *,
    require_reviewed: bool = True,
) -> Key | None:
    """Read key.json and check it against the codebook and the article's sentences."""
    doc = read_json(path, "key", problems, shown)
    if doc is None:
        return None
    entries: dict[str, KeyEntry] = {}
    for number, item in enumerate(doc["entries"], start=1):
        sid = item["id"]
        record = f"'{sid}' (#{number})"

        def bad(field_name: str, message: str, record: str = record) -> None:
            problems.append(Problem(shown, record, field_name, message))

        if sid in entries:
            bad("id", f"duplicate id {sid!r}: each sentence has one key entry")
            continue
        if sid not in sentence_texts:
            bad("id", f"no sentence {sid!r} in sentences.json")
            continue
        text = sentence_texts[sid]
        if item["label"] not in codebook.label_ids:
            bad("label", f"unknown label {item['label']!r} (expected one of {', '.join(codebook.label_ids)})")
        seen_alt: set[str] = set()
        for alt in item["accepted"]:
            if alt["label"] not in codebook.label_ids:
                bad("accepted", f"unknown label {alt['label']!r}")
            elif alt["label"] == item["label"]:
                bad("accepted", f"{alt['label']!r} is the main label; accepted lists the other defensible labels")
            elif alt["label"] in seen_alt:
                bad("accepted", f"{alt['label']!r} is listed twice")
            seen_alt.add(alt["label"])
        reviewed = item.get("reviewed", True)
        if require_reviewed and not reviewed:
            bad("reviewed", "not reviewed yet: confirm or fix the proposed label in author mode")
        if reviewed and not item["rationale"].strip():
            bad("rationale", "empty: every label needs a rationale that cites the codebook")
        if reviewed and not item["rules"]:
            bad("rules", "no codebook rule cited")
        for rule_id in item["rules"]:
            try:
                codebook.rule(rule_id)
            except KeyError:
                bad("rules", f"unknown codebook rule {rule_id!r}")
        attr = item["attribution"]
        if attr["cue"] and not _contains(text, attr["cue"]):
            bad("attribution.cue", f"cue {attr['cue']!r} does not occur in the sentence")
        for fragment in attr.get("mixed_quotes", []):
            if fragment not in text:
                bad("attribution.mixed_quotes", f"{fragment!r} does not occur in the sentence")
        for hedge in attr.get("hedges", []):
            if not _contains(text, hedge):
                bad("attribution.hedges", f"hedge {hedge!r} does not occur in the sentence")
        entries[sid] = KeyEntry(
            id=sid,
            label=item["label"],
            accepted=tuple(Alternative(**alt) for alt in item["accepted"]),
            rationale=item["rationale"],
            rules=tuple(item["rules"]),
            attribution=_attribution(attr),
            reviewed=reviewed,
            feedback=dict(item.get("feedback", {})),
        )
        if len(attr.get("links", [])) not in (0, len(attr["channel"]) - 1):
            bad("attribution.links", "one link per step of the channel (its length minus one)")
    for sid in sentence_texts:
        if sid not in entries and not any(p.record and sid in p.record for p in problems):
            problems.append(Problem(shown, None, "entries", f"sentence {sid!r} has no key entry"))
    # Keep article order whatever the file's order.
    return Key({sid: entries[sid] for sid in sentence_texts if sid in entries})


def _attribution(attr: dict[str, Any]) -> Attribution:
    return Attribution(
        source=attr["source"],
        source_type=attr["source_type"],
        cue=attr["cue"],
        cue_stance=attr["cue_stance"],
        channel=tuple(attr["channel"]),
        channel_note=attr.get("channel_note", ""),
        mixed_quotes=tuple(attr.get("mixed_quotes", [])),
        hedges=tuple(attr.get("hedges", [])),
        links=tuple(Link(link["basis"], link.get("note", "")) for link in attr.get("links", [])),
    )


def parse_figures(
    path: Path, problems: list[Problem], shown: str, sentence_texts: dict[str, str], *, require_reviewed: bool = True
) -> tuple[Figure, ...] | None:
    """Read figures.json; every figure must point at a sentence that contains its text.

    Like the key, a figure proposed by `new` is unreviewed until the author confirms it:
    ``require_reviewed`` makes each unreviewed figure a problem (what `validate` lists)."""
    doc = read_json(path, "figures", problems, shown)
    if doc is None:
        return None
    figures: list[Figure] = []
    seen: set[str] = set()
    for number, item in enumerate(doc["figures"], start=1):
        record = f"'{item['id']}' (#{number})"
        if item["id"] in seen:
            problems.append(Problem(shown, record, "id", f"duplicate id {item['id']!r}"))
        seen.add(item["id"])
        problems.extend(_figure_problems(item, shown, record, sentence_texts, require_reviewed))
        estimates = tuple(Estimate(**e) for e in item.get("independent_estimates", []))
        figures.append(Figure(**{**item, "channel": tuple(item["channel"]), "independent_estimates": estimates}))
    return tuple(figures)


def _figure_problems(item: dict[str, Any], shown: str, record: str, sentence_texts: dict[str, str],
                     require_reviewed: bool) -> list[Problem]:
    text = sentence_texts.get(item["sentence"])
    problems = []
    if text is None:
        problems.append(Problem(shown, record, "sentence", f"no sentence {item['sentence']!r}"))
    elif item["text"] not in text:
        problems.append(
            Problem(shown, record, "text", f"{item['text']!r} does not occur in sentence {item['sentence']}"))
    if require_reviewed and not item.get("reviewed", True):
        article_id = Path(shown).parent.name
        problems.append(Problem(shown, record, "reviewed",
                                f"not reviewed yet: check it, then `python -m reportkit figures {article_id} "
                                f"--confirm {item['id']}` (with corrections) or `--delete {item['id']}`"))
    elif item.get("reviewed", True) and item["counts"] == PLACEHOLDER_COUNTS:
        problems.append(Problem(shown, record, "counts", "still the proposer's placeholder: say what it counts"))
    return problems
