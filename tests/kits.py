"""Temporary kits for tests and benchmarks: the kit as an instructor has it, and one holding
only the fictional test article just made by ``python -m reportkit new``."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OWN = "kyivpost-2024-12-zelensky-kyodo"  # the article the notebooks were written for
FIXTURE = REPO / "tests" / "fixtures" / "harbour-bridge.txt"
FIXTURE_ID = "gazette-harbour-bridge"
FIXTURE_META = {"outlet": "Harbour Gazette", "url": "https://example.org/bridge", "date": "2025-03-14",
                "newsmaker": "Anna Kovalenko"}


def copy_kit(dest: Path) -> Path:
    """The kit as an instructor has it: data (only the committed article), seeds, notebooks, the package."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.answers.json*")
    for name in ("data", "seeds", "notebooks", "solutions", "exercises", "reportkit"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy2(REPO / name, dest / name)
    for extra in (dest / "data").iterdir():  # no one else's work in progress
        if extra.is_dir() and extra.name != OWN:
            shutil.rmtree(extra)
    return dest


def codebook_kit(dest: Path) -> Path:
    """A kit with the codebook and no article yet (empty seeds/)."""
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("kyivpost-*"))
    (dest / "seeds").mkdir()
    return dest


def fixture_kit(dest: Path) -> Path:
    """A kit holding only the fictional test article, just made by `new` (every entry unreviewed)."""
    from reportkit.authoring import new_article

    new_article(FIXTURE_ID, FIXTURE, root=codebook_kit(dest), **FIXTURE_META)
    return dest


# The key a careful instructor settles on for the fictional article (label, rules, rationale).
FIXTURE_REVIEW = {
    "s01": ("reported", ["R1"], "Kovalenko's announcement in the reporter's words, cue 'announced' (R1)."),
    "s02": ("quote", ["Q1"], "Kovalenko's own words in quotation marks with 'she said' (Q1)."),
    "s03": ("quote", ["Q2"], "The quotation goes on without a new attribution (Q2)."),
    "s04": ("furniture", ["F1"], "An advertisement marker belongs to the page, not the report (F1)."),
    "s05": ("reported", ["R2"], "A paraphrase that quotes only a fragment is a reported claim (R2)."),
    "s06": ("reported", ["R4"], "A fact attributed to another outlet's report (R4)."),
    "s07": ("analysis", ["A1"], "An outside analyst's forecast: third-party analysis (A1)."),
    "s08": ("narration", ["N1"], "Background stated on the reporter's own authority (N1)."),
    "s09": ("reported", ["R5"], "An anonymous participant's warning: a reported claim (R5)."),
    "s10": ("furniture", ["F2"], "A teaser for another article (F2)."),
    "s11": ("furniture", ["F1"], "The corrections footer is page furniture (F1)."),
}

# What the instructor corrects in the baseline's attribution guesses while reviewing.
KOVALENKO = {"source": "Anna Kovalenko", "source_type": "named person", "cue": "said", "cue_stance": "neutral",
             "channel": ["Anna Kovalenko", "Harbour Gazette"]}
FIXTURE_ATTRIBUTION = {
    "s01": {**KOVALENKO, "cue": "announced"},
    "s02": KOVALENKO,
    "s03": {**KOVALENKO, "cue": None, "cue_stance": None},
    "s05": KOVALENKO,
    "s07": {"source": "Piotr Nowak", "source_type": "named person", "cue": "said", "cue_stance": "neutral",
            "channel": ["Piotr Nowak", "Harbour Gazette"]},
    "s09": {"source": "An engineer involved in the inspection", "source_type": "unnamed person", "cue": "warned",
            "cue_stance": "neutral", "channel": ["An engineer involved in the inspection", "Harbour Gazette"]},
}


# What the instructor corrects in the figures ledger `new` proposes (f01..f05), confirming each.
FIXTURE_FIGURES: dict[str, dict[str, str]] = {
    "f01": {"counts": "supports of the bridge in which engineers found cracks", "asserted_by": "Anna Kovalenko"},
    "f02": {"counts": "the cost of the repairs", "asserted_by": "Anna Kovalenko"},
    "f03": {"counts": "how long the repairs will take", "asserted_by": "Anna Kovalenko"},
    "f04": {"counts": "the year the bridge opened"},
    "f05": {"counts": "vehicles crossing the bridge a day"},
}


def figure_commands(article_id: str = FIXTURE_ID) -> list[list[str]]:
    """FIXTURE_FIGURES as the README's commands: `figures ARTICLE --confirm f01 --counts "…" …`."""
    return [["figures", article_id, "--confirm", fid,
             *[arg for name, value in fields.items() for arg in (f"--{name.replace('_', '-')}", value)]]
            for fid, fields in FIXTURE_FIGURES.items()]


def review_fixture_figures(root: Path, article_id: str = FIXTURE_ID) -> None:
    """Confirm the proposed figures ledger of the fictional article with FIXTURE_FIGURES."""
    from reportkit.figurereview import review_figure

    for fid, fields in FIXTURE_FIGURES.items():
        review_figure(article_id, fid, root=root, **fields)


def reviewed_fixture_kit(dest: Path) -> Path:
    """The instructor's whole kit plus the fictional article, made by `new` and fully reviewed
    (key and figures ledger)."""
    from reportkit.authoring import new_article, review_entry

    copy_kit(dest)
    new_article(FIXTURE_ID, FIXTURE, root=dest, title="Harbour Bridge closed to lorries", **FIXTURE_META)
    for sid, (label, rules, rationale) in FIXTURE_REVIEW.items():
        review_entry(FIXTURE_ID, sid, label=label, rules=rules, rationale=rationale,
                     attribution=FIXTURE_ATTRIBUTION.get(sid), root=dest)
    review_fixture_figures(dest)
    return dest


def review_proposed_figures(root: Path, article_id: str) -> None:
    """An instructor in a hurry: confirm each proposed figure as it is, delete those whose unit the
    proposer could not tell (the placeholder `counts`)."""
    import json

    from reportkit.figurereview import delete_figure, review_figure
    from reportkit.key import PLACEHOLDER_COUNTS

    ledger = json.loads((root / "data" / article_id / "figures.json").read_text("utf-8"))["figures"]
    for figure in ledger:
        if figure["counts"] == PLACEHOLDER_COUNTS:
            delete_figure(article_id, figure["id"], root=root)
        else:
            review_figure(article_id, figure["id"], root=root)
