"""Bring your own article: ``python -m reportkit new`` turns a plain-text article into kit data.

It copies the text into ``seeds/``, segments it, and writes ``data/<id>/`` with the baseline's
proposals marked unreviewed. The instructor then confirms or fixes each label in the tagger's
author mode; ``validate`` refuses the key until every entry is reviewed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

from reportkit.baseline import propose_all
from reportkit.datafiles import find_kit_root, write_text_atomic
from reportkit.figureledger import propose_ledger
from reportkit.segment import sentence_records

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PLACEHOLDER_PREFIX = "Proposed by the baseline"
_PLACEHOLDER = re.compile(r"^Proposed by the baseline \((?P<reason>.*)\); review it\.$", re.DOTALL)
ATTRIBUTION_FIELDS = ("source", "source_type", "cue", "cue_stance", "channel")
_PRONOUN_OBJECT = {"he": "him", "she": "her", "they": "them", "it": "it", "i": "me", "we": "us"}
# Words that make a source anonymous (R5); a source the baseline could not find is not one.
_ANONYMOUS = re.compile(r"not to be named|anonymity|anonymous|unnamed|not authori[sz]ed to|declined to be "
                        r"(named|identified)|spoke on condition", re.IGNORECASE)
# Lines that belong to the page itself (F1), not to a teaser for another story (F2).
_PAGE_LINE = re.compile(r"^advertisement$|^by \w|\s\|\s|"  # an advert marker, a byline, a "a | b | c" line
                        r"\b(sign up|subscribe|newsletter|inbox|correction|report an error|write to us|cookies?|"
                        r"share this|follow us)\b", re.IGNORECASE)
_OUTLET_CUES = ("according to", "as reported by", "as outlined in", "as outlined by", "cited in", "cited by")


def write_json(path: Path, document: Any) -> None:
    """Write JSON readably and atomically: a half-written key would break every lesson."""
    write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def default_questions() -> dict[str, Any]:
    """Questions that need nothing but a reviewed key: they work for any article."""
    return {"questions": [
        {"id": "q06_1", "kind": "tagging", "points": 10, "exercise": "tag-all",
         "prompt": "Tag every sentence of the article with one of the five labels.", "pass_share": 0.8},
    ]}


def _short(text: str, limit: int = 100) -> str:
    """A title from the first sentence: whole, or cut at a word with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def new_article(
    article_id: str,
    source_text: Path,
    *,
    outlet: str,
    url: str,
    date: str,
    title: str | None = None,
    newsmaker: str | None = None,
    root: Path | None = None,
    force: bool = False,
) -> Path:
    """Create ``data/<article_id>/`` and ``seeds/<article_id>.txt``; returns the data folder."""
    if not ID_PATTERN.match(article_id):
        raise ValueError(f"article id {article_id!r}: use lower-case letters, digits and dashes")
    root = root or find_kit_root()
    raw = source_text.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source_text}: not UTF-8 text (byte {exc.start}); save it as UTF-8 first") from None
    if not text.strip():
        raise ValueError(f"{source_text}: the file is empty")
    folder = root / "data" / article_id
    seed = root / "seeds" / f"{article_id}.txt"
    if (folder.exists() or seed.exists()) and not force:
        raise FileExistsError(f"{folder} or {seed} exists already; pass --force to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    seed.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_text, seed)

    import pysbd

    records = sentence_records(text)
    proposals = propose_all([(r["id"], r["text"]) for r in records])
    write_json(folder / "article.json", {
        "id": article_id, "title": title or _short(records[0]["text"]), "outlet": outlet, "url": url,
        "published": date, "seed": seed.name, "sha256": hashlib.sha256(raw).hexdigest(), "language": "en",
        "newsmaker": newsmaker or "(to fill in: the person the story is mainly about)", "upstream": [],
    })
    write_json(folder / "sentences.json", {
        "segmenter": {"name": "pysbd", "version": getattr(pysbd, "__version__", "0.3.4"), "language": "en"},
        "corrections": [], "sentences": records,
    })
    write_json(folder / "key.json", {"entries": [
        {"id": p.id, "label": p.label, "reviewed": False, "accepted": [],
         "rationale": f"{PLACEHOLDER_PREFIX} ({p.reason}); review it.", "rules": [],
         "attribution": {"source": p.source, "source_type": None, "cue": p.cue, "cue_stance": p.cue_stance,
                         "channel": [p.source, outlet] if p.source else []}}
        for p in proposals
    ]})
    sources = {p.id: p.source for p in proposals}
    write_json(folder / "figures.json", propose_ledger([(r["id"], r["text"]) for r in records], sources, outlet))
    write_json(folder / "upstream.json", empty_upstream())
    write_json(folder / "questions.json", default_questions())
    return folder


def empty_upstream() -> dict[str, Any]:
    """upstream.json before any source is entered: lesson 09 then says so (docs/authoring.md: how to fill it)."""
    return {"note": "No upstream sources entered yet: see docs/authoring.md, 'Upstream sources'.",
            "sources": [], "comparisons": []}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "new", help="make a new article from a plain-text file (baseline proposals, unreviewed)",
        description="Copy TEXTFILE into seeds/, segment it, and write data/ARTICLE_ID/ with the baseline's "
                    "proposed labels marked unreviewed. Review them in the tagger's author mode, then run "
                    "`validate ARTICLE_ID`.")
    p.add_argument("article", metavar="ARTICLE_ID", help="lower-case id, e.g. bbc-2025-03-ceasefire-talks")
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="TEXTFILE",
                   help="the article as UTF-8 plain text, one paragraph per line")
    p.add_argument("--outlet", required=True, help="who published it, e.g. 'BBC News'")
    p.add_argument("--url", required=True, help="where it was published")
    p.add_argument("--date", required=True, help="when it was published, e.g. 2025-03-14")
    p.add_argument("--title", help="its headline (default: the first sentence)")
    p.add_argument("--newsmaker", help="the person the story is mainly about (decides 'analysis' vs 'reported')")
    p.add_argument("--force", action="store_true", help="replace an existing article of that id")
    p.set_defaults(func=_cmd_new)


def _cmd_new(args: argparse.Namespace) -> int:
    try:
        folder = new_article(args.article, args.source, outlet=args.outlet, url=args.url, date=args.date,
                             title=args.title, newsmaker=args.newsmaker, force=args.force)
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    key = json.loads((folder / "key.json").read_text("utf-8"))["entries"]
    sentences = json.loads((folder / "sentences.json").read_text("utf-8"))["sentences"]
    labels = {e["id"]: e["label"] for e in key}
    print(f"Created data/{args.article}/ and seeds/{args.article}.txt: {len(key)} units, all unreviewed.")
    print("Check the cut (one unit per sentence or page line; paragraph numbers on the left) and the "
          "baseline's proposed labels:")
    for s in sentences:
        text = s["text"] if len(s["text"]) <= 80 else s["text"][:79] + "…"
        print(f"  {s['paragraph']:>2}  {s['id']}  {labels[s['id']]:<9}  {text}")
    print("If a unit is cut wrongly, fix the line breaks in your file and run this again with --force.")
    print("Next: review every label in author mode, in a notebook (README, 'Bring your own article'):")
    print(f'  from reportkit import Tagger; tagger = Tagger("{args.article}", author=True); tagger')
    figures = json.loads((folder / "figures.json").read_text("utf-8"))["figures"]
    print(f"Then review the {len(figures)} proposed figures (every number in the text, unreviewed): "
          f"python -m reportkit figures {args.article}")
    print(f"and check it all with: python -m reportkit validate {args.article}")
    return 0


# ---------------------------------------------------------------------- reviewing the key
#
# The tagger's author mode and scripts change key.json only through the functions below, so
# every check lives here: `save_draft` keeps an entry unreviewed, `review_entry` confirms it,
# `restore_entry` puts back an earlier state (undo). Each call reads key.json, changes one
# entry and writes the whole file atomically; what is on disk is always loadable.


def is_placeholder(rationale: str) -> bool:
    """True for the baseline's 'Proposed by the baseline (…); review it.' (not a rationale)."""
    return rationale.strip().startswith(PLACEHOLDER_PREFIX)


def baseline_reason(rationale: str) -> str | None:
    """The baseline's reason inside its placeholder rationale ('reporting cue'), else None."""
    found = _PLACEHOLDER.match(rationale.strip())
    return found.group("reason") if found else None


def source_types() -> list[str]:
    """The values key.json allows for ``attribution.source_type`` (from the key schema)."""
    return list(_source_types())


@cache
def _source_types() -> tuple[str, ...]:  # read once: drafts are saved on every debounced keystroke
    from importlib import resources

    schema = json.loads(resources.files("reportkit.schemas").joinpath("key.json").read_text("utf-8"))
    enum = schema["properties"]["entries"]["items"]["properties"]["attribution"]["properties"]["source_type"]["enum"]
    return tuple(value for value in enum if value is not None)


def cue_stances(root: Path | None = None) -> dict[str, str]:
    """The codebook's cue stances: name -> what it means ('neutral': 'reports without judging…')."""
    root = root or find_kit_root()
    doc = json.loads((root / "data" / "codebook.json").read_text("utf-8"))
    return dict(doc.get("cue_stances") or {})


_CODEBOOKS: dict[tuple[str, int, int], Any] = {}


def _codebook(root: Path) -> Any:
    """load_codebook, cached while the file is unchanged (author mode calls this per keystroke)."""
    from reportkit.key import load_codebook

    path = root / "data" / "codebook.json"
    stat = path.stat()
    token = (str(path), stat.st_mtime_ns, stat.st_size)
    if token not in _CODEBOOKS:
        _CODEBOOKS.clear()
        _CODEBOOKS[token] = (load_codebook(root), cue_stances(root))
    return _CODEBOOKS[token]


# The record list of each data file an author edits, and what one record is called in messages.
RECORD_LISTS = {"key.json": ("entries", "key entry"), "figures.json": ("figures", "figure")}


def open_record(article_id: str, file_name: str, record_id: str,
                root: Path) -> tuple[Path, dict[str, Any], dict[str, Any], str]:
    """A data file's path and document (key.json, figures.json), its record ``record_id`` and the text of
    that record's sentence (a figure names its sentence; a key entry is one)."""
    folder = root / "data" / article_id
    path = folder / file_name
    document = json.loads(path.read_text("utf-8"))
    field, what = RECORD_LISTS[file_name]
    record = next((r for r in document[field] if r["id"] == record_id), None)
    if record is None:
        known = ", ".join(r["id"] for r in document[field]) or "none"
        raise KeyError(f"no {what} {record_id!r} in {path} (its {field}: {known})")
    sentence_id = record.get("sentence", record_id)
    sentences = json.loads((folder / "sentences.json").read_text("utf-8"))["sentences"]
    text = next((s["text"] for s in sentences if s["id"] == sentence_id), None)
    if text is None:
        raise KeyError(f"{record_id}: no sentence {sentence_id!r} in {folder / 'sentences.json'}")
    return path, document, record, text


def _open_key(article_id: str, sentence_id: str, root: Path) -> tuple[Path, dict[str, Any], dict[str, Any], str]:
    """key.json's path and document, the entry for ``sentence_id`` and that sentence's text."""
    return open_record(article_id, "key.json", sentence_id, root)


def _clean_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__}")
    return value.strip() or None


def _checked(entry: dict[str, Any], text: str, root: Path) -> dict[str, Any]:
    """Check a whole entry against the codebook, the key schema and its sentence; returns it cleaned.

    Raises ValueError (or KeyError for an unknown rule) with a message an instructor can act on.
    """
    codebook, stances = _codebook(root)
    sid = entry["id"]
    label = entry["label"]
    if label not in codebook.label_ids:
        raise ValueError(f"unknown label {label!r}; the labels are {', '.join(codebook.label_ids)}")
    if not isinstance(entry["rationale"], str):
        raise ValueError(f"{sid}: the rationale must be text")
    rules = entry["rules"]
    if isinstance(rules, str) or not all(isinstance(r, str) for r in rules):
        raise ValueError(f"{sid}: rules must be a list of rule ids such as ['R1']")
    rules = list(dict.fromkeys(r.strip() for r in rules if r.strip()))
    for rule_id in rules:
        codebook.rule(rule_id)  # KeyError names an unknown rule
    accepted: list[dict[str, str]] = []
    for alt in entry["accepted"]:
        if not isinstance(alt, dict) or not isinstance(alt.get("label"), str):
            raise ValueError(f"{sid}: each accepted alternative is {{'label': …, 'note': …}}")
        alt_label, note = alt["label"], alt.get("note")
        if alt_label not in codebook.label_ids:
            raise ValueError(f"{sid}: accepted label {alt_label!r} is not a label ({', '.join(codebook.label_ids)})")
        if alt_label == label:
            continue  # the main label is not an alternative to itself
        if any(a["label"] == alt_label for a in accepted):
            raise ValueError(f"{sid}: accepted label {alt_label!r} is listed twice")
        note = _clean_text(note, "a note")
        if not note:
            raise ValueError(f"{sid}: accepting {alt_label!r} needs a short note saying why it is defensible "
                             "(learners who choose it read that note)")
        accepted.append({"label": alt_label, "note": note})
    attr = dict(entry["attribution"])
    for name in ("source", "cue"):
        attr[name] = _clean_text(attr.get(name), name)
    for name in ("source_type", "cue_stance"):
        attr[name] = _clean_text(attr.get(name), name)
    if attr["source_type"] is not None and attr["source_type"] not in source_types():
        raise ValueError(f"{sid}: source type {attr['source_type']!r} is not one of {', '.join(source_types())}")
    if attr["cue_stance"] is not None and attr["cue_stance"] not in stances:
        raise ValueError(f"{sid}: cue stance {attr['cue_stance']!r} is not one of {', '.join(stances)}")
    if attr["cue"] is not None and attr["cue"].casefold() not in text.casefold():
        raise ValueError(f"{sid}: the cue {attr['cue']!r} does not occur in the sentence; copy the reporting "
                         "words exactly as they stand (said, told, according to…), or leave the cue empty")
    channel = attr.get("channel") or []
    if isinstance(channel, str) or not all(isinstance(c, str) for c in channel):
        raise ValueError(f"{sid}: the channel is a list of names")
    attr["channel"] = [c.strip() for c in channel if c.strip()]
    return {**entry, "label": label, "rules": rules, "accepted": accepted, "attribution": attr}


def _merge(entry: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - {"label", "rationale", "rules", "accepted", "attribution"}
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}: "
                         "use label, rationale, rules, accepted or attribution")
    new = {**entry, **{k: v for k, v in fields.items() if k != "attribution"}}
    if fields.get("attribution") is not None:
        extra = set(fields["attribution"]) - set(ATTRIBUTION_FIELDS)
        if extra:
            raise ValueError(f"unknown attribution field(s) {', '.join(sorted(extra))}: "
                             f"use {', '.join(ATTRIBUTION_FIELDS)}")
        new["attribution"] = {**entry["attribution"], **fields["attribution"]}
    if "rules" in fields and fields["rules"] is None:
        new["rules"] = entry["rules"]
    if "accepted" in fields and fields["accepted"] is None:
        new["accepted"] = entry["accepted"]
    return new


def save_draft(article_id: str, sentence_id: str, *, root: Path | None = None, **fields: Any) -> dict[str, Any]:
    """Change one key entry without confirming it; writes key.json atomically and returns the entry.

    ``fields`` are any of label, rationale, rules, accepted, attribution (a partial dict, merged
    into the entry's). Label, rule ids, accepted alternatives (each with a note), source type,
    cue stance and the cue (it must occur in the sentence) are checked as in `review_entry`; a
    refused change raises ValueError/KeyError and leaves the file as it was. A change that
    alters the entry marks it unreviewed; one that changes nothing writes nothing.
    """
    root = root or find_kit_root()
    path, document, entry, text = _open_key(article_id, sentence_id, root)
    new = _checked(_merge(entry, fields), text, root)
    try:
        before = {k: v for k, v in _checked(entry, text, root).items() if k != "reviewed"}
    except (KeyError, ValueError):
        before = None  # the file holds something this version would refuse: write the fixed entry
    if {k: v for k, v in new.items() if k != "reviewed"} == before:
        return entry
    new["reviewed"] = False
    entry.clear()
    entry.update(new)
    write_json(path, document)
    return entry


def review_entry(
    article_id: str,
    sentence_id: str,
    *,
    label: str,
    rationale: str,
    rules: list[str],
    accepted: list[dict[str, str]] | None = None,
    attribution: dict[str, Any] | None = None,
    root: Path | None = None,
) -> dict[str, Any]:
    """Confirm or fix one key entry and mark it reviewed; writes key.json atomically.

    Used by the tagger's author mode and by scripts. Checks everything `save_draft` checks and,
    because every label needs a rationale that cites the codebook, refuses an empty rationale,
    the baseline's placeholder and an empty rule list, so a typo is refused here rather than
    found later by `validate`. Nothing is written when it refuses.
    """
    root = root or find_kit_root()
    path, document, entry, text = _open_key(article_id, sentence_id, root)
    if not isinstance(rationale, str) or not rationale.strip():
        raise ValueError(f"{sentence_id}: write a rationale before confirming (one or two sentences on why "
                         "the label fits, citing the deciding rule)")
    if is_placeholder(rationale):
        raise ValueError(f"{sentence_id}: the rationale is still the baseline's placeholder; say in your own "
                         "words why the label fits, citing the deciding rule")
    fields: dict[str, Any] = {"label": label, "rationale": rationale.strip(), "rules": rules}
    if accepted is not None:
        fields["accepted"] = accepted
    if attribution is not None:
        fields["attribution"] = attribution
    new = _checked(_merge(entry, fields), text, root)
    if not new["rules"]:
        codebook, _ = _codebook(root)
        examples = ", ".join(r.id for r in codebook.rules if r.label == new["label"])
        raise ValueError(f"{sentence_id}: cite at least one codebook rule (for {new['label']}: {examples})")
    new["reviewed"] = True
    # Remember a rationale confirmed exactly as the kit drafted it: learners read it, so
    # `validate` lists these for a second look (an unedited draft is allowed, not hidden).
    order = [e["id"] for e in document["entries"]]
    at = order.index(sentence_id)
    previous = document["entries"][at - 1]["label"] if at else None
    new.pop("rationale_drafted", None)
    if new["rationale"] == suggest_review(new, text, previous)[0]:
        new["rationale_drafted"] = True
    entry.clear()
    entry.update(new)
    write_json(path, document)
    return entry


def restore_entry(article_id: str, entry: dict[str, Any], *, root: Path | None = None) -> dict[str, Any]:
    """Put back an earlier state of one entry, reviewed flag included (the tagger's undo)."""
    root = root or find_kit_root()
    path, document, current, text = _open_key(article_id, entry["id"], root)
    new = _checked({**entry, "accepted": list(entry["accepted"]), "rules": list(entry["rules"])}, text, root)
    new["reviewed"] = bool(entry.get("reviewed", True))
    current.clear()
    current.update(new)
    write_json(path, document)
    return current


def suggest_review(entry: dict[str, Any], text: str, previous_label: str | None = None) -> tuple[str, list[str]]:
    """A first rationale and the deciding rule for an entry's current label, for the instructor to edit.

    Built from the label, the recorded source and cue, and the sentence (a quotation that goes
    on, another outlet as source, an anonymous source, a teaser); it drafts, the instructor decides.
    """
    label = entry["label"]
    attr = entry["attribution"]
    source, cue = attr.get("source"), attr.get("cue")
    pronoun = (source or "").lower() in _PRONOUN_OBJECT
    who = _PRONOUN_OBJECT[source.lower()] if source and pronoun else source
    subject = source.lower() if source and pronoun else source  # "What he said", not "What He said"
    with_cue = f" with the cue '{cue}'" if cue else ""
    lowered = text.casefold()
    if label == "quote":
        if not cue and previous_label == "quote":
            return ("The quotation goes on in a new sentence without an attribution of its own: still the "
                    "same speaker's words (Q2).", ["Q2"])
        speaker = f"attributed to {who}{with_cue}" if who else f"attributed to a speaker{with_cue}"
        return f"The main content is words inside quotation marks, {speaker}: a direct quote (Q1).", ["Q1"]
    if label == "reported":
        if cue and cue.casefold() in _OUTLET_CUES:
            return (f"A fact attributed to another source ('{cue}{' ' + source if source else ''}') in the "
                    "reporter's words: a reported claim (R4).", ["R4"])
        if _ANONYMOUS.search(text):
            return (f"A participant's claim{with_cue}, in the reporter's words; the source is not named, so "
                    "record it as anonymous: a reported claim (R5).", ["R5"])
        if not source:  # the baseline found no speaker; that does not make the source anonymous
            return f"A source's claim{with_cue}, in the reporter's words: a reported claim (R1).", ["R1"]
        return f"What {subject} said, in the reporter's words{with_cue}: a reported claim (R1).", ["R1"]
    if label == "analysis":
        observer = subject or "An observer"
        return (f"{observer[:1].upper() + observer[1:]} assesses the events from outside (neither the newsmaker "
                f"nor the reporter){with_cue}: third-party analysis (A1).", ["A1"])
    if label == "narration":
        return "Stated without a source, on the reporter's own authority: the reporter's voice (N1).", ["N1"]
    if label == "furniture":
        stripped = text.strip()
        if lowered.startswith(("read more", "see also", "related")):
            return "A teaser for another article: page furniture, not part of this report (F2).", ["F2"]
        if _PAGE_LINE.search(stripped):
            return "Part of the web page, not of the report: page furniture (F1).", ["F1"]
        if "teaser" in entry.get("rationale", "") or _looks_like_headline(stripped):
            return ("A headline for another article (a teaser): page furniture, not part of this report (F2).",
                    ["F2"])
        if previous_label == "furniture" and stripped.endswith((".", "?", "!")):
            return ("The one-sentence summary (dek) under a teaser's headline: it belongs to another story, "
                    "so it is page furniture (F2).", ["F2"])
        return "Part of the web page, not of the report: page furniture (F1).", ["F1"]
    return "", []


def _looks_like_headline(line: str) -> bool:
    """No closing punctuation and most words capitalised: 'Central Bank Raises Rates for Fourth Time'."""
    words = [w for w in line.split() if w[:1].isalpha()]
    if len(words) < 4 or line.endswith((".", "?", "!", ":")):
        return False
    return sum(w[:1].isupper() for w in words) / len(words) >= 0.6
