"""Shared fixtures: a tiny, complete kit so tests never depend on the real article's key.

``tiny_kit`` (a folder with ``data/codebook.json``, one five-sentence article and its seed)
is what most tests want. ``make_tiny_kit`` builds the same kit anywhere (session-scoped
fixtures use it with ``tmp_path_factory``); its keyword arguments make variants: no key
(a learner bundle), another article id, a changed seed text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TINY_ID = "tiny-article"

# Paragraphs of the seed; each inner list is one paragraph's sentences, joined by a space.
TINY_PARAGRAPHS = [
    ["Minister Jane Roe said on Monday that the talks would resume next week."],
    ["“We are ready to talk,” she told the Daily Planet.", "“Nothing is agreed yet.”"],
    ["Analysts at the Institute for Calm warned that a deal remains distant."],
    ["The talks began in 2022."],
]

_ROE = {"source": "Jane Roe", "source_type": "named person", "cue_stance": "neutral",
        "channel": ["Jane Roe", "Daily Planet", "Tiny Times"]}
TINY_KEY = [
    {"id": "s01", "label": "reported", "accepted": [],
     "rationale": "Roe's claim in the reporter's words with the cue 'said' (R1).", "rules": ["R1"],
     "attribution": {**_ROE, "cue": "said", "channel": ["Jane Roe", "Tiny Times"]}},
    {"id": "s02", "label": "quote", "accepted": [],
     "rationale": "Roe's own words in quotation marks, attributed with 'told' (Q1).", "rules": ["Q1"],
     "attribution": {**_ROE, "cue": "told"}},
    {"id": "s03", "label": "quote", "accepted": [],
     "rationale": "The quotation goes on without a new attribution (Q2).", "rules": ["Q2"],
     "attribution": {**_ROE, "cue": None, "cue_stance": None}},
    {"id": "s04", "label": "analysis",
     "accepted": [{"label": "reported", "note": "The grammar is indirect speech (A3)."}],
     "rationale": "Outside analysts assess the prospects (A1).", "rules": ["A1", "A3"],
     "attribution": {"source": "Institute for Calm", "source_type": "organisation", "cue": "warned",
                     "cue_stance": "neutral", "channel": ["Institute for Calm", "Tiny Times"]}},
    {"id": "s05", "label": "narration", "accepted": [],
     "rationale": "Background in the reporter's voice, no source (N1).", "rules": ["N1"],
     "attribution": {"source": None, "source_type": None, "cue": None, "cue_stance": None,
                     "channel": ["Tiny Times"]}},
]
TINY_CONTINUES = {"s03": "s02"}  # s03 goes on with s02's quotation
# The key's labels, handy for asserting feedback: s01 reported ... s05 narration.
TINY_LABELS = {e["id"]: e["label"] for e in TINY_KEY}


def _write_json(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def make_tiny_kit(
    root: Path,
    *,
    article_id: str = TINY_ID,
    key: bool = True,
    paragraphs: list[list[str]] | None = None,
    entries: list[dict] | None = None,
    continues: dict[str, str] | None = None,
) -> Path:
    """Write a complete kit (codebook, seed, article files) under ``root``; returns ``root``.

    ``key=False`` leaves out key.json, as a learner bundle without the key does. Pass
    ``paragraphs`` and ``entries`` together to build another article (one entry per sentence),
    and ``continues`` ({sentence id: id of the quote it continues}) if it has running quotes.
    """
    if paragraphs is None:
        paragraphs, continues = TINY_PARAGRAPHS, TINY_CONTINUES if continues is None else continues
    continues = continues or {}
    entries = entries if entries is not None else TINY_KEY
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "data" / "codebook.json", root / "data" / "codebook.json")
    seed = "\n\n".join(" ".join(p) for p in paragraphs) + "\n"
    seed_name = f"{article_id}.txt"
    (root / "seeds").mkdir(exist_ok=True)
    (root / "seeds" / seed_name).write_text(seed, encoding="utf-8")

    sentences, cursor, number = [], 0, 0
    for p_no, para in enumerate(paragraphs, start=1):
        for text in para:
            number += 1
            start = seed.index(text, cursor)
            item = {"id": f"s{number:02d}", "paragraph": p_no, "start": start,
                    "end": start + len(text), "text": text}
            if item["id"] in continues:
                item["continues"] = continues[item["id"]]
            sentences.append(item)
            cursor = start + len(text)

    folder = root / "data" / article_id
    _write_json(folder / "article.json", {
        "id": article_id, "title": "Talks to resume, minister says", "outlet": "Tiny Times",
        "url": "https://example.org/tiny", "published": "December 2024", "seed": seed_name,
        "sha256": hashlib.sha256(seed.encode("utf-8")).hexdigest(), "language": "en",
        "newsmaker": "Jane Roe",
        "upstream": [{"name": "Daily Planet", "what": "Roe's interview"}],
    })
    _write_json(folder / "sentences.json", {
        "segmenter": {"name": "test", "version": "0"}, "corrections": [], "sentences": sentences,
    })
    if key:
        _write_json(folder / "key.json", {"entries": entries})
        figures = [{"id": "f01", "sentence": "s05", "text": "2022", "value": 2022, "kind": "date",
                    "counts": "the year the talks began", "asserted_by": "Tiny Times",
                    "channel": ["Tiny Times"], "hedge": None, "how_to_check": "Look it up."}]
        _write_json(folder / "figures.json", {"figures": figures if paragraphs is TINY_PARAGRAPHS else []})
    return root


@pytest.fixture(scope="session")
def kit_builder() -> Callable[..., Path]:
    """``make_tiny_kit`` itself, for module- or session-scoped fixtures with their own folders."""
    return make_tiny_kit


@pytest.fixture
def tiny_kit(tmp_path: Path) -> Path:
    """A complete kit with one five-sentence article, ``TINY_ID``; returns the kit root."""
    return make_tiny_kit(tmp_path / "kit")


@pytest.fixture
def tiny_article(tiny_kit: Path):  # noqa: ANN201 - reportkit.article.Article
    """The tiny kit's article, loaded (``.key`` labels: s01 reported, s02-s03 quote, s04
    analysis with 'reported' accepted, s05 narration)."""
    from reportkit.article import load_article

    return load_article(TINY_ID, tiny_kit)


@pytest.fixture
def tiny_kit_factory(tmp_path: Path) -> Callable[..., Path]:
    """Build kit variants: ``tiny_kit_factory("name", key=False)`` -> a new kit root."""

    def build(name: str = "kit", **kwargs: object) -> Path:
        return make_tiny_kit(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return build


@pytest.fixture
def tiny_env(tiny_kit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """REPORTKIT_HOME points at ``tiny_kit`` and the cwd is an empty notebook folder (returned)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("REPORTKIT_HOME", str(tiny_kit))
    monkeypatch.chdir(work)
    return work


@pytest.fixture(scope="session")
def kyiv_post():  # noqa: ANN201 - reportkit.article.Article
    """The kit's own article (the Kyiv Post), loaded once: lessons' sections are checked against it."""
    from reportkit.article import load_article

    return load_article("kyivpost-2024-12-zelensky-kyodo", REPO)
