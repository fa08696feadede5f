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
from pathlib import Path
from typing import Any

from reportkit.baseline import propose_all
from reportkit.datafiles import find_kit_root
from reportkit.segment import sentence_records

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def write_json(path: Path, document: Any) -> None:
    """Write JSON readably and atomically (a half-written key would break every lesson)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def default_questions() -> dict[str, Any]:
    """Questions that need nothing but a reviewed key: they work for any article."""
    return {"questions": [
        {"id": "q06_1", "kind": "tagging", "points": 10, "exercise": "tag-all",
         "prompt": "Tag every sentence of the article with one of the five labels.", "pass_share": 0.8},
    ]}


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
        "id": article_id, "title": title or records[0]["text"][:100], "outlet": outlet, "url": url,
        "published": date, "seed": seed.name, "sha256": hashlib.sha256(raw).hexdigest(), "language": "en",
        "newsmaker": newsmaker or "(to fill in: the person the story is mainly about)", "upstream": [],
    })
    write_json(folder / "sentences.json", {
        "segmenter": {"name": "pysbd", "version": getattr(pysbd, "__version__", "0.3.4"), "language": "en"},
        "corrections": [], "sentences": records,
    })
    write_json(folder / "key.json", {"entries": [
        {"id": p.id, "label": p.label, "reviewed": False, "accepted": [],
         "rationale": f"Proposed by the baseline ({p.reason}); review it.", "rules": [],
         "attribution": {"source": p.source, "source_type": None, "cue": p.cue, "cue_stance": p.cue_stance,
                         "channel": [p.source, outlet] if p.source else []}}
        for p in proposals
    ]})
    write_json(folder / "figures.json", {"figures": []})
    write_json(folder / "questions.json", default_questions())
    return folder


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
    print(f"Created data/{args.article}/ and seeds/{args.article}.txt: {len(key)} sentences, all unreviewed.")
    print("Next: review the labels in author mode (see README, 'Bring your own article'), then run")
    print(f"  python -m reportkit validate {args.article}")
    return 0


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

    Used by the tagger's author mode and by scripts. Checks the label and rule ids against
    the codebook at once, so a typo is refused here rather than found later by `validate`.
    """
    from reportkit.key import load_codebook

    root = root or find_kit_root()
    codebook = load_codebook(root)
    if label not in codebook.label_ids:
        raise ValueError(f"unknown label {label!r}; the labels are {', '.join(codebook.label_ids)}")
    for rule_id in rules:
        codebook.rule(rule_id)  # KeyError names an unknown rule
    if not rationale.strip():
        raise ValueError("a reviewed label needs a rationale (one or two sentences citing a rule)")
    path = root / "data" / article_id / "key.json"
    document = json.loads(path.read_text("utf-8"))
    entry = next((e for e in document["entries"] if e["id"] == sentence_id), None)
    if entry is None:
        raise KeyError(f"no key entry {sentence_id!r} in {path}")
    entry.update(label=label, rationale=rationale, rules=list(rules), reviewed=True)
    if accepted is not None:
        entry["accepted"] = [alt for alt in accepted if alt["label"] != label]
    if attribution is not None:
        entry["attribution"] = {**entry["attribution"], **attribution}
    write_json(path, document)
    return entry
