"""Lessons 05 (numbers and hedges) and 07 (the article as a whole) run on any article.

The Kyiv Post keeps its hand-picked units and prose (article.json "lessons"); the fictional
harbour-bridge article gets units chosen from its key and ledger, and one sentence wherever it has
nothing for a section (its figures ledger is empty); a synthetic key with no chains and one
label checks the edges. The rehearsal runs both lessons, retargeted, under nbval-lax.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from kits import FIXTURE_ID, OWN, codebook_kit, review_proposed_figures, reviewed_fixture_kit

from reportkit import lesson, plots, sections
from reportkit.article import Article, load_article
from reportkit.authoring import new_article, review_entry
from reportkit.key import Key

KIT = Path(__file__).resolve().parent.parent
LESSONS = ("05-numbers-and-hedges.ipynb", "07-the-article-as-a-whole.ipynb")
OURS = ("05.chart", "05.hedge", "05.evaluation", "05.asserts", "05.try",
        "07.composition", "07.chains", "07.upstream", "07.try")
WARNINGS_AS_ERRORS = f"import warnings\nwarnings.simplefilter({os.environ.get('REPORTKIT_TEST_WARNINGS', 'error')!r})"

# A ledger an author might settle on for the fictional article: two hedged figures in s05 (hers),
# and a hedged count beside an unhedged year in s08 (the reporter's background).
LEDGER = [("s05", "4.2 million euros", "about", "Anna Kovalenko"), ("s05", "six months", "at least", "Anna Kovalenko"),
          ("s08", "1968", None, "Harbour Gazette"), ("s08", "30,000", "around", "Harbour Gazette")]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = reviewed_fixture_kit(tmp_path_factory.mktemp("kit"))
    empty = '{"figures": []}\n'  # whatever `new` proposes, these tests need an empty ledger
    (root / "data" / FIXTURE_ID / "figures.json").write_text(empty, "utf-8")
    return root


@pytest.fixture(scope="module")
def bridge(kit: Path) -> Article:
    return load_article(FIXTURE_ID, kit)


@pytest.fixture(scope="module")
def kyivpost() -> Article:
    return load_article(OWN, KIT)


def _ledger_figure(template: dict, number: int, sentence: str, text: str, hedge: str | None, who: str) -> dict:
    """A ledger entry shaped like the Kyiv Post's (so it keeps any field the schema requires)."""
    return {**template, "id": f"f{number:02d}", "sentence": sentence, "text": text, "value": None, "kind": "count",
            "counts": f"what {text} counts", "asserted_by": who, "channel": [who, "Harbour Gazette"], "hedge": hedge,
            "how_to_check": "Ask the council.", "who_could_confirm": "The council.", "independent_estimates": []}


@pytest.fixture(scope="module")
def bridge_with_figures(kit: Path, tmp_path_factory: pytest.TempPathFactory) -> Article:
    root = tmp_path_factory.mktemp("figures")
    for name in ("data", "seeds"):
        shutil.copytree(kit / name, root / name)
    template = json.loads((KIT / "data" / OWN / "figures.json").read_text("utf-8"))["figures"][0]
    ledger = [_ledger_figure(template, i, *row) for i, row in enumerate(LEDGER, start=1)]
    (root / "data" / FIXTURE_ID / "figures.json").write_text(json.dumps({"figures": ledger}), "utf-8")
    return load_article(FIXTURE_ID, root)


def test_every_section_is_declared() -> None:
    assert set(OURS) <= set(sections.registry())


# ------------------------------------------------------------------ the Kyiv Post: its own units and prose


@pytest.mark.parametrize("section, units", [("05.hedge", ["s11"]), ("05.evaluation", ["s30"]), ("05.try", ["s30"]),
                                            ("07.try", ["s09"])])
def test_kyiv_post_shows_its_own_units(kyivpost: Article, section: str, units: list[str]) -> None:
    assert lesson.units(kyivpost, section) == units


@pytest.mark.parametrize("section, opening, closing", [
    ("05.chart", "*Figure: the twelve figures against who asserts them. Zelensky asserts three",
     "lists every figure with its\nhedge.*"),
    ("05.hedge", "s11 hedges its number twice:", "“Russia’s *reported* use of North Korean soldiers”."),
    ("05.evaluation", "s30 has two words around its numbers", "and it is not part of the number."),
    ("05.asserts", "- 12,000 (s11): Zelensky, through Kyodo News.", "the article names no outlet for it."),
    ("07.composition", "*Figure: the 40 units as boxes in reading order",
     "the rest you read as the\nreporter's summary."),
    ("07.chains", "*Figure: nine chains, one per row.", "and an anonymous US official.*"),
    ("07.upstream", "- **The Kyodo News interview**: the largest share", "an interpretation\nwith no name (s10)."),
])
def test_kyiv_post_keeps_its_prose_word_for_word(kyivpost: Article, section: str, opening: str, closing: str) -> None:
    note = lesson.note(kyivpost, section).text
    assert note.startswith(opening) and note.endswith(closing)


def test_kyiv_post_sections_show_the_note_then_the_unit(kyivpost: Article) -> None:
    shown = lesson.section(kyivpost, "05.evaluation").text
    assert shown.index("*Only* is an evaluation") < shown.index("As outlined in the FT, only 350,000")


def test_drafted_notes_for_the_kyiv_post_agree_with_its_own(kyivpost: Article) -> None:
    """Without its overrides, the key and ledger give what the hand-written notes say."""
    drafted = replace(kyivpost, lessons={})
    assert "Volodymyr Zelensky: 3 (12,000 (s11), two and a half (s35), ten brigades (s35))" in \
        sections.note(drafted, "05.chart")
    assert lesson.units(drafted, "05.hedge") == ["s11"]  # hedged twice: the most hedged unit
    assert lesson.units(drafted, "05.evaluation") == ["s30"]  # the key cites E1 there, beside a hedged figure
    assert "The key attributes 17 of them to Volodymyr Zelensky (direct quote: 4; reported claim: 13)" in \
        sections.note(drafted, "07.composition")
    assert "The longest is Jens Stoltenberg → Table.Briefings → European Pravda → Kyiv Post (s22–s25)." in \
        sections.note(drafted, "07.chains")
    upstream = sections.note(drafted, "07.upstream")
    assert "- **Kyodo News**: s01–s07, s09, s11, s16–s17, s19, s21 (13 of the 30 units" in upstream
    assert "an unnamed source (an officer of the 123 Brigade (unnamed), s29)" in upstream


# ------------------------------------------------------------------ the fictional article: an empty ledger


@pytest.mark.parametrize("section", [s for s in OURS if s.startswith("05.")])
def test_an_empty_ledger_gets_one_sentence_per_section(bridge: Article, section: str) -> None:
    assert lesson.units(bridge, section) == []
    text = lesson.section(bridge, section).text
    assert text == sections.get(section).absent and text.count(". ") == 0 and "in its ledger" in text


def test_an_empty_ledger_shows_no_empty_table_or_chart(bridge: Article) -> None:
    for block in (lesson.figures_table(bridge), lesson.checking_table(bridge)):
        assert "<table" not in block.html and block.text == "This article has no figures in its ledger."
    chart = plots.figures_chart(bridge)
    assert chart._repr_png_() is None and repr(chart).startswith("This article has no figures in its ledger")
    assert lesson.try_label(bridge, "05.try", ...).text == sections.get("05.try").absent


def test_a_bundle_without_the_key_says_the_ledger_is_not_in_it(bridge: Article) -> None:
    keyless = replace(bridge, key=None)
    assert lesson.figures_table(keyless).text == "(The figures ledger is not in this bundle.)"
    assert repr(plots.figures_chart(keyless)) == "The figures ledger is not in this bundle."


# ------------------------------------------------------------------ the fictional article with a ledger


def test_figures_are_chosen_from_the_ledger(bridge_with_figures: Article) -> None:
    article = bridge_with_figures
    assert lesson.units(article, "05.hedge") == ["s05"]  # two hedged figures
    assert lesson.units(article, "05.evaluation") == ["s08"]  # a hedged count beside an unhedged year
    assert lesson.units(article, "05.try") == ["s05"]
    assert "- **s05**: “4.2 million euros” (what 4.2 million euros counts) is hedged by “about”." in \
        sections.note(article, "05.hedge")
    assert "- **s08**: the ledger records “30,000” (hedged by “around”), “1968” (no hedge)." in \
        sections.note(article, "05.evaluation")
    assert sections.note(article, "05.asserts").splitlines() == [
        "- 4.2 million euros (s05), six months (s05). Who asserts: Anna Kovalenko. "
        "Chain: Anna Kovalenko → Harbour Gazette.",
        "- 1968 (s08), 30,000 (s08). Who asserts: Harbour Gazette. Chain: Harbour Gazette → Harbour Gazette."]
    assert "the 4 figures of the ledger" in sections.note(article, "05.chart")
    assert "3 of them are hedged" in sections.note(article, "05.chart")
    assert plots.figures_chart(article)._repr_png_() is not None


# ------------------------------------------------------------------ the fictional article: lesson 07


def test_composition_is_counted_from_the_key(bridge: Article) -> None:
    note = sections.note(bridge, "07.composition")
    assert ("lettered and coloured by the key's label: direct quote: 2 (s02–s03); reported claim: 4 (s01, "
            "s05–s06, s09); third-party analysis: 1 (s07); reporter's voice: 1 (s08); page furniture: 3 (s04, "
            "s10–s11).*") in note
    assert "the most frequent label is reported claim: 4 of 8 units." in note
    assert "The key attributes 4 of them to Anna Kovalenko (direct quote: 2; reported claim: 2)." in note
    assert "one row of 11," in repr(plots.label_strip(bridge))  # 11 units: not "two rows of 20"


def test_short_chains_are_described_as_short(bridge: Article) -> None:
    note = sections.note(bridge, "07.chains")
    assert note.startswith("*Figure: 4 chains, one per row.*")
    assert "Every chain goes straight from its source to the page: the article names no outlet in between." in note
    assert "Anna Kovalenko → Harbour Gazette (4)" in note and "longest" not in note


def test_upstream_lists_where_each_unit_came_from_and_the_gaps(bridge: Article) -> None:
    note = sections.note(bridge, "07.upstream")
    assert "- **Anna Kovalenko**: s01–s03, s05 (4 of the 8 units outside the page furniture)" in note
    assert note.endswith("And the gaps the article leaves: an unnamed source "
                         "(An engineer involved in the inspection, s09).")
    assert lesson.upstream(bridge).text == "No upstream outlets have been entered for this article yet."
    assert lesson.units(bridge, "07.try") == ["s07"]  # the analyst's reading


def test_an_article_with_no_chain_and_one_label_says_so(bridge: Article) -> None:
    """Synthetic edge: every unit narration with no source — no chain, no upstream, one label."""
    flat = Key({sid: replace(e, label="narration", attribution=replace(e.attribution, source=None, channel=(),
                                                                        source_type=None, links=()))
                for sid, e in bridge.key.entries.items()})
    article = replace(bridge, key=flat)
    for section in ("07.chains", "07.upstream", "07.try"):
        assert lesson.section(article, section).text == sections.get(section).absent
    assert lesson.chains_table(article).text == "This article's key records no attribution chain."
    assert plots.chain_diagram(article)._repr_png_() is None
    note = sections.note(article, "07.composition")
    assert "reporter's voice: 11 (s01–s11).*" in note and "reporter's voice: 11 of 11 units" in note
    assert "The key attributes none of them to Anna Kovalenko." in note


# ------------------------------------------------------------------ rehearsal: both lessons on the fictional article


def _retargeted(kit: Path, name: str) -> Path:
    nb = nbformat.read(KIT / "notebooks" / name, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = f'ARTICLE = "{FIXTURE_ID}"'
    nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS, id="warnings-as-errors"))
    path = kit / "notebooks" / f"bridge-{name}"
    nbformat.write(nb, path)
    return path


def test_both_lessons_run_on_the_fictional_article_under_nbval(kit: Path) -> None:
    paths = [_retargeted(kit, name) for name in LESSONS]
    env = {**os.environ, "REPORTKIT_HOME": str(kit)}
    env.pop("PYTEST_ADDOPTS", None)
    ran = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                          *map(str, paths)], cwd=kit, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout


# ------------------------------------------------------------------ the labelled development texts


@pytest.fixture(scope="module")
def dev_articles(tmp_path_factory: pytest.TempPathFactory) -> list[Article]:
    """Each development text made by `new` and reviewed with its gold labels (attributions as proposed)."""
    root = codebook_kit(tmp_path_factory.mktemp("dev"))
    made = []
    for path in sorted((KIT / "tests" / "fixtures").glob("dev-*.txt")):
        new_article(path.stem, path, root=root, outlet="Dev Outlet", url="https://example.org/dev",
                    date="2025-01-01", newsmaker="Nobody Named")
        records = json.loads((root / "data" / path.stem / "sentences.json").read_text("utf-8"))["sentences"]
        for record, unit in zip(records, _gold_units(path, records), strict=True):
            review_entry(path.stem, record["id"], label=unit["label"], rules=unit.get("rules") or ["N1"],
                         rationale="The text's gold label.", root=root)
        review_proposed_figures(root, path.stem)
        made.append(load_article(path.stem, root))
    return made


def _gold_units(path: Path, records: list[dict]) -> list[dict]:
    """The gold unit that overlaps each segmented record most (as benchmarks/measure_baseline.py aligns them)."""
    text = path.read_text("utf-8")
    spans, at = [], 0
    for unit in json.loads(path.with_suffix(".labels.json").read_text("utf-8"))["units"]:
        start = text.index(unit["text"], at)
        spans.append((start, start + len(unit["text"]), unit))
        at = start + len(unit["text"])
    return [max(spans, key=lambda span: min(r["end"], span[1]) - max(r["start"], span[0]))[2] for r in records]


def test_every_section_renders_on_the_development_texts(dev_articles: list[Article]) -> None:
    """Other newsroom styles (court, feature, politics, wire): no crash, no empty table, counts add up."""
    for article in dev_articles:
        for section in OURS:
            text = lesson.section(article, section).text
            assert text.strip(), (article.id, section)
        for table in (lesson.composition(article), lesson.chains_table(article), lesson.figures_table(article),
                      lesson.checking_table(article), lesson.upstream(article)):
            assert "<tbody></tbody>" not in table.html and "<ul></ul>" not in table.html, article.id
        for chart in (plots.label_strip(article), plots.chain_diagram(article), plots.figures_chart(article)):
            assert repr(chart)
        counts = re.findall(r": (\d+) \(", sections.note(article, "07.composition").split("*\n")[0])
        assert sum(map(int, counts)) == len(article.ids), article.id
