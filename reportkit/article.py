"""An article as data: its seed text, its sentence units, its key and figures, all validated.

Layout of one article (``data/<article-id>/``): ``article.json`` (metadata and the seed's
name and sha256), ``sentences.json`` (units with exact offsets into the seed), ``key.json``
and ``figures.json``. The seed itself is ``seeds/<name>.txt``; the codebook is shared,
``data/codebook.json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from reportkit.datafiles import find_kit_root, read_json
from reportkit.errors import DataError, Problem, display_path
from reportkit.key import Codebook, Figure, Key, parse_codebook, parse_figures, parse_key


@dataclass(frozen=True)
class Sentence:
    """One unit the learner labels: a sentence, or a line of page furniture."""

    id: str
    paragraph: int
    start: int
    end: int
    text: str
    continues: str | None = None  # id of the sentence whose quotation this one continues


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    outlet: str
    url: str
    published: str
    event: str
    newsmaker: str
    upstream: tuple[dict[str, str], ...]
    seed_name: str
    seed_sha256: str
    text: str
    sentences: tuple[Sentence, ...]
    codebook: Codebook
    key: Key | None  # None in a learner bundle released without the key
    figures: tuple[Figure, ...]
    root: Path
    segmentation: dict
    # Optional teaching choices (article.json), so lessons name no unit of any one article:
    examples: dict[str, str] = field(default_factory=dict)  # label -> the unit lesson 00 shows for it
    sample_mistakes: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> {label, note}
    sample_try: dict | None = None  # {"question": id, "answer": ...}: lesson 00's wrong first try
    lessons: dict[str, dict] = field(default_factory=dict)  # section id -> {units, note}: see reportkit.sections

    @cached_property
    def _by_id(self) -> dict[str, Sentence]:
        return {s.id: s for s in self.sentences}

    def sentence(self, sentence_id: str) -> Sentence:
        try:
            return self._by_id[sentence_id]
        except KeyError:
            raise KeyError(f"no sentence {sentence_id!r} in article {self.id!r}") from None

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.sentences]

    def paragraphs(self) -> list[list[Sentence]]:
        """Sentences grouped by paragraph, in reading order."""
        groups: dict[int, list[Sentence]] = {}
        for s in self.sentences:
            groups.setdefault(s.paragraph, []).append(s)
        return [groups[p] for p in sorted(groups)]

    def reassemble(self) -> str:
        """The seed text rebuilt from the sentences and the whitespace between them."""
        pieces, cursor = [], 0
        for s in self.sentences:
            pieces.append(self.text[cursor : s.start])
            pieces.append(s.text)
            cursor = s.end
        pieces.append(self.text[cursor:])
        return "".join(pieces)

    @property
    def data_dir(self) -> Path:
        return self.root / "data" / self.id

    @property
    def seed_path(self) -> Path:
        return self.root / "seeds" / self.seed_name


def reviewed_figures(article: Article) -> tuple[Figure, ...]:
    """The figures the author has confirmed: what lessons and questions may ask about. (An article
    loaded with ``require_reviewed=False`` also holds the proposer's unreviewed figures.)"""
    return tuple(f for f in article.figures if f.reviewed)


def list_articles(root: Path | None = None) -> list[str]:
    """Ids of the articles in the kit's ``data/`` folder, sorted."""
    root = root or find_kit_root()
    return sorted(p.parent.name for p in (root / "data").glob("*/article.json"))


def load_article(
    article_id: str, root: Path | None = None, *, require_reviewed: bool = True, require_key: bool = True
) -> Article:
    """Load an article and check every file; raises DataError listing every problem found.

    ``require_key=False`` accepts a learner bundle released without the key (``release
    --graded``): ``key`` is then None, ``figures`` empty, and checks test form only.
    """
    root = root or find_kit_root()
    folder = root / "data" / article_id
    if not (folder / "article.json").is_file():
        known = ", ".join(list_articles(root)) or "none"
        raise DataError(
            [Problem(display_path(folder, root), None, None, f"no article {article_id!r} (known: {known})")]
        )
    problems: list[Problem] = []

    def shown(path: Path) -> str:
        return display_path(path, root)

    codebook_path = root / "data" / "codebook.json"
    codebook = parse_codebook(codebook_path, problems, shown(codebook_path))
    meta = read_json(folder / "article.json", "article", problems, shown(folder / "article.json"))
    seg = read_json(folder / "sentences.json", "sentences", problems, shown(folder / "sentences.json"))
    if meta is None or seg is None or codebook is None:
        raise DataError(problems)
    if meta["id"] != article_id:
        message = f"{meta['id']!r} but the folder is {article_id!r}"
        problems.append(Problem(shown(folder / "article.json"), None, "id", message))

    seed_path = root / "seeds" / meta["seed"]
    try:
        raw = seed_path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(shown(seed_path), None, None, "seed file is missing"))
        raise DataError(problems) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"]:
        problems.append(
            Problem(shown(folder / "article.json"), None, "sha256",
                    f"the seed {meta['seed']} has sha256 {digest[:12]}…, not {meta['sha256'][:12]}…: "
                    "the text changed after the data was made")
        )
    text = raw.decode("utf-8")
    sentences = _check_sentences(seg["sentences"], text, problems, shown(folder / "sentences.json"))
    texts = {s.id: s.text for s in sentences}
    keyless = not require_key and not (folder / "key.json").exists()
    key: Key | None = None
    figures: tuple[Figure, ...] | None = ()
    if not keyless:
        key = parse_key(folder / "key.json", problems, shown(folder / "key.json"), codebook, texts,
                        require_reviewed=require_reviewed)
        figures = parse_figures(folder / "figures.json", problems, shown(folder / "figures.json"), texts,
                                require_reviewed=require_reviewed)
    # While the key is being reviewed, an example's label may legitimately be in flux: the
    # author must still be able to open the article; `validate` and the lessons check it.
    _check_teaching(meta, texts, codebook, key if require_reviewed else None, problems,
                    shown(folder / "article.json"))
    if problems or (key is None and not keyless) or figures is None:
        raise DataError(problems)
    return Article(
        id=article_id, title=meta["title"], outlet=meta["outlet"], url=meta["url"],
        published=meta["published"], event=meta.get("event", ""), newsmaker=meta["newsmaker"],
        upstream=tuple(meta.get("upstream", [])), seed_name=meta["seed"], seed_sha256=digest,
        text=text, sentences=tuple(sentences), codebook=codebook, key=key, figures=figures,
        root=root, segmentation={"segmenter": seg["segmenter"], "corrections": seg["corrections"]},
        examples=dict(meta.get("examples", {})), sample_mistakes=dict(meta.get("sample_mistakes", {})),
        sample_try=meta.get("sample_try"), lessons=dict(meta.get("lessons", {})),
    )


def _check_teaching(meta: dict, texts: dict[str, str], codebook: Codebook, key: Key | None,
                    problems: list[Problem], shown: str) -> None:
    """article.json's optional ``examples`` and ``sample_mistakes`` name real units and labels,
    and each example has the label the key gives it."""
    for label, sid in meta.get("examples", {}).items():
        if label not in codebook.label_ids:
            problems.append(Problem(shown, f"examples.{label}", "label",
                                    f"unknown label {label!r}; the labels are {', '.join(codebook.label_ids)}"))
        elif sid not in texts:
            problems.append(Problem(shown, f"examples.{label}", "sentence", f"no sentence {sid!r}"))
        elif key is not None and sid in key.entries and key[sid].label != label:
            problems.append(Problem(shown, f"examples.{label}", "sentence",
                                    f"the key labels {sid} {key[sid].label!r}, not {label!r}"))
    for section, choice in meta.get("lessons", {}).items():
        for sid in choice.get("units", []):
            if sid not in texts:
                problems.append(Problem(shown, f"lessons.{section}", "units", f"no sentence {sid!r}"))
    for sid, mistake in meta.get("sample_mistakes", {}).items():
        if sid not in texts:
            problems.append(Problem(shown, f"sample_mistakes.{sid}", None, f"no sentence {sid!r}"))
        if mistake["label"] not in codebook.label_ids:
            problems.append(Problem(shown, f"sample_mistakes.{sid}", "label", f"unknown label {mistake['label']!r}"))


def _check_sentences(items: list[dict], text: str, problems: list[Problem], shown: str) -> list[Sentence]:
    """Offsets must match the seed, units must not overlap, and only whitespace may lie between."""
    sentences: list[Sentence] = []
    seen: set[str] = set()
    cursor, last_paragraph = 0, 0
    for number, item in enumerate(items, start=1):
        record = f"'{item['id']}' (#{number})"

        def bad(field_name: str, message: str, record: str = record) -> None:
            problems.append(Problem(shown, record, field_name, message))

        start, end = item["start"], item["end"]
        if item["id"] in seen:
            bad("id", f"duplicate id {item['id']!r}")
        seen.add(item["id"])
        if not start < end <= len(text):
            bad("end", f"offsets {start}..{end} are outside the seed ({len(text)} characters)")
            continue
        if text[start:end] != item["text"]:
            bad("start", f"offsets {start}..{end} hold {text[start:end][:40]!r}…, not the sentence's text")
        if start < cursor:
            bad("start", "overlaps the previous sentence")
        elif text[cursor:start].strip():
            bad("start", f"text before this sentence belongs to no sentence: {text[cursor:start].strip()[:40]!r}")
        gap = text[cursor:start]
        new_paragraph = "\n" in gap or number == 1
        expected = last_paragraph + 1 if new_paragraph else last_paragraph
        if item["paragraph"] != expected:
            bad("paragraph", f"is {item['paragraph']}, but the seed puts it in paragraph {expected}")
        last_paragraph = item["paragraph"]
        cont = item.get("continues")
        if cont is not None and cont not in seen - {item["id"]}:
            bad("continues", f"{cont!r} is not an earlier sentence")
        cursor = max(cursor, end)
        sentences.append(Sentence(item["id"], item["paragraph"], start, end, item["text"], cont))
    if text[cursor:].strip():
        rest = text[cursor:].strip()[:40]
        problems.append(Problem(shown, None, "sentences", f"the seed's end is in no sentence: {rest!r}"))
    return sentences
