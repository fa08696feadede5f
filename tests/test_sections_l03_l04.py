"""Lessons 03 and 04 run on any article: their sections come from the key, the Kyiv Post keeps its
hand-picked units and prose (article.json "lessons"), and an article without what a section needs
gets its one sentence. The rehearsal runs both lessons, retargeted to the fictional harbour-bridge
article, under nbval-lax with warnings as errors."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from kits import FIXTURE_ID, OWN, codebook_kit, review_proposed_figures, reviewed_fixture_kit

from reportkit import lesson, sections
from reportkit.article import Article, load_article
from reportkit.authoring import new_article, review_entry
from reportkit.key import Key

KIT = Path(__file__).resolve().parent.parent
LESSONS = ("03-reported-claims.ipynb", "04-analysis-and-voice.ipynb")
WARNINGS_AS_ERRORS = f"import warnings\nwarnings.simplefilter({os.environ.get('REPORTKIT_TEST_WARNINGS', 'error')!r})"

# The Kyiv Post: each section's units and words of its note, as lessons 03 and 04 showed them before
# they were made portable (the note is the lesson's own prose, moved into article.json).
KYIV_POST = {
    "03.source-cue-content": (["s11", "s17"], "Eighteen of the 40 units are reported claims."),
    "03.framing": (["s02"], "s02 shows rule R3: “With Russian forces making gains in eastern Ukraine” is the "
                   "reporter's framing; the attributed content follows “he acknowledged”."),
    "03.stances": (["s16", "s35"], "*alleging* keeps the reporter at a distance."),
    "03.outlet-facts": (["s26", "s30"], "s26 gives desertion figures first and names the source only at the end"),
    "03.participant-sources": (["s29", "s31", "s32"], "s31 reports what “The US and UK” urged"),
    "03.chain": (["s23"], "the Kyiv Post cites European Pravda. s23 states the whole chain"),
    "03.inferred-link": (["s38"], "The key records Sky News for s34–s38 as an **inference**, not a fact"),
    "04.outlet-reading": (["s09"], "“Potential” and “suggesting” hedge it."),
    "04.unnamed-interpretation": (["s10"], "the reporter states it on the Kyiv Post's own authority."),
    "04.observer": (["s22", "s23", "s24", "s25"], "Jens Stoltenberg, a former NATO Secretary General"),
    "04.observer-verdict": (["s25"], "The key notes the tension"),
    "04.carried-analysis": (["s28"], "the Financial Times carries their reading to the Kyiv Post."),
    "04.participant-forecast": (["s17"], "so his predictions are **reported claims** (R6)."),
    "04.reporter-voice": (["s18"], "Only two whole units are in the reporter's voice: s10, above, and s18"),
}
# Sections shown with no note of their own (a verdict under the units above, a "try it").
KYIV_POST_UNITS_ONLY = {"03.participant-verdict": ["s32"], "03.try": ["s38"], "04.try": ["s24"]}

# The fictional article (tests/kits.py): what the key gives each section, or None for "has none".
FIXTURE = {
    "03.source-cue-content": ["s01", "s05"],
    "03.framing": None,
    "03.stances": None,
    "03.outlet-facts": ["s06"],
    "03.participant-sources": ["s09"],
    "03.participant-verdict": ["s09"],
    "03.chain": None,
    "03.inferred-link": None,
    "03.try": ["s06"],
    "04.outlet-reading": None,
    "04.unnamed-interpretation": None,
    "04.observer": ["s07"],
    "04.observer-verdict": ["s07"],
    "04.carried-analysis": None,
    "04.participant-forecast": ["s09"],
    "04.reporter-voice": ["s08"],
    "04.try": ["s07"],
}
OURS = sorted(sid for sid in sections.registry() if sid[:3] in ("03.", "04."))


@pytest.fixture(scope="module")
def fixture_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reviewed_fixture_kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture(scope="module")
def bridge(fixture_kit: Path) -> Article:
    return load_article(FIXTURE_ID, fixture_kit)


def _key_choice(article: Article, section_id: str) -> list[str]:
    """What the key alone picks (the article's overrides set aside)."""
    return sections.units(dataclasses.replace(article, lessons={}), section_id)


def test_every_section_of_lessons_03_and_04_is_declared_and_tested() -> None:
    assert OURS == sorted(FIXTURE) == sorted([*KYIV_POST, *KYIV_POST_UNITS_ONLY])


@pytest.mark.parametrize("section_id", sorted(KYIV_POST))
def test_the_kyiv_post_keeps_its_units_and_prose(kyiv_post: Article, section_id: str) -> None:
    chosen, words = KYIV_POST[section_id]
    assert lesson.units(kyiv_post, section_id) == chosen
    assert words in " ".join(sections.note(kyiv_post, section_id).split())
    shown = repr(lesson.section(kyiv_post, section_id))
    assert all(f"{sid}  {kyiv_post.sentence(sid).text}" in shown for sid in chosen)


def test_the_kyiv_post_keeps_its_verdict_and_try_units(kyiv_post: Article) -> None:
    for section_id, chosen in KYIV_POST_UNITS_ONLY.items():
        assert lesson.units(kyiv_post, section_id) == chosen
    verdict = repr(lesson.verdict(kyiv_post, "03.participant-verdict", with_note=False))
    assert verdict.startswith("s32  reported claim (rules R5)")
    assert "s38" in repr(lesson.try_label(kyiv_post, "03.try", ...))
    assert "s24" in repr(lesson.try_label(kyiv_post, "04.try", ...))


def test_without_its_overrides_the_kyiv_posts_key_picks_what_each_section_teaches(kyiv_post: Article) -> None:
    key = kyiv_post.key
    assert [key[sid].attribution.cue_stance for sid in _key_choice(kyiv_post, "03.stances")] == [
        "distancing", "endorsing"]
    assert _key_choice(kyiv_post, "03.outlet-facts")[0] == "s26"  # "according to" at the end comes first
    assert _key_choice(kyiv_post, "03.chain") == ["s22"]  # four links, every one stated
    assert _key_choice(kyiv_post, "03.participant-sources") == ["s29", "s32", "s31"]  # unnamed persons first
    assert _key_choice(kyiv_post, "03.framing") == ["s02"]
    assert _key_choice(kyiv_post, "04.outlet-reading") == ["s09"]
    assert _key_choice(kyiv_post, "04.unnamed-interpretation") == ["s10"]
    assert _key_choice(kyiv_post, "04.carried-analysis") == ["s28"]  # unnamed analysts, through the FT
    # A "try it" asks about a unit whose verdict the lesson has not given (s29 and s32 are explained).
    assert _key_choice(kyiv_post, "03.try") == ["s31"] and _key_choice(kyiv_post, "04.try") == ["s23"]
    inferred = _key_choice(kyiv_post, "03.inferred-link")
    assert inferred == ["s29"] and key["s29"].attribution.inferred_nodes()
    drafted = sections.note(dataclasses.replace(kyiv_post, lessons={}), "03.inferred-link")
    assert "The key infers Financial Times: By context only" in drafted


@pytest.mark.parametrize("section_id", sorted(FIXTURE))
def test_the_fictional_article_gets_the_keys_units_or_one_sentence(bridge: Article, section_id: str) -> None:
    expected = FIXTURE[section_id]
    shown = lesson.section(bridge, section_id)
    if expected is None:
        absent = sections.get(section_id).absent
        assert lesson.units(bridge, section_id) == []
        assert repr(shown) == absent and absent.count(".") == 1 and "<table" not in shown.html
        assert lesson.verdict(bridge, section_id, with_note=False) is None  # the cell above said so
    else:
        assert lesson.units(bridge, section_id) == expected
        assert all(f"{sid}  {bridge.sentence(sid).text}" in repr(shown) for sid in expected)


def test_notes_drafted_from_the_fictional_articles_key(bridge: Article) -> None:
    assert sections.note(bridge, "03.source-cue-content").startswith("4 of the 11 units are reported claims.")
    assert ("the source, Harbour Gazette, is named before the content (“According to”)"
            in sections.note(bridge, "03.outlet-facts"))
    assert ("**s09**: An engineer involved in the inspection (unnamed person)"
            in sections.note(bridge, "03.participant-sources"))
    voice = sections.note(bridge, "04.reporter-voice")
    assert voice.startswith("1 of the 11 units is wholly in the reporter's voice: s08.")
    assert f"“{bridge.sentence('s08').text}”" in voice
    assert repr(lesson.verdict(bridge, "04.observer-verdict")).count("s07") == 2  # quoted, then the verdict


def test_try_it_on_the_fictional_article_asks_about_the_keys_unit(bridge: Article) -> None:
    assert "which label fits s06?" in repr(lesson.try_label(bridge, "03.try", ...))
    assert "Try it · " in repr(lesson.try_label(bridge, "04.try", "quote"))


def test_an_article_without_a_key_or_cues_gets_sentences_not_empty_tables(bridge: Article) -> None:
    keyless = dataclasses.replace(bridge, key=None)
    for section_id in OURS:
        assert repr(lesson.section(keyless, section_id)) == sections.get(section_id).absent
    no_cues = dataclasses.replace(bridge, key=Key({}))
    assert repr(lesson.cues_table(no_cues)) == "The key records no reporting cue in this article."


def _dev_article(text: Path, kit: Path) -> Article:
    """A labelled development text (tests/fixtures/dev-*) made by `new`, its labels and rules confirmed
    (the attributions stay the baseline's guesses, as an instructor in a hurry would leave them)."""
    units = json.loads(text.with_suffix(".labels.json").read_text("utf-8"))["units"]
    new_article(text.stem, text, outlet="Dev Wire", url="https://example.org/dev", date="2025-01-01",
                root=codebook_kit(kit))
    for sentence in load_article(text.stem, kit, require_reviewed=False).sentences:
        unit = next(u for u in units if u["text"] in sentence.text or sentence.text in u["text"])
        review_entry(text.stem, sentence.id, label=unit["label"], rules=unit["rules"],
                     rationale=f"Labelled by the codebook ({', '.join(unit['rules'])}).", root=kit)
    review_proposed_figures(kit, text.stem)
    return load_article(text.stem, kit)


@pytest.mark.parametrize("text", sorted((KIT / "tests" / "fixtures").glob("dev-*.txt")), ids=lambda p: p.stem)
def test_the_labelled_development_texts_get_units_or_one_sentence(text: Path, tmp_path: Path) -> None:
    article = _dev_article(text, tmp_path)
    for section_id in OURS:
        chosen, shown = lesson.units(article, section_id), repr(lesson.section(article, section_id))
        assert all(article.sentence(sid).text in shown for sid in chosen) if chosen else (
            shown == sections.get(section_id).absent), section_id
        assert "None" not in sections.note(article, section_id), section_id
        lesson.verdict(article, section_id)


def test_lessons_03_and_04_are_portable_and_name_no_unit() -> None:
    for name in LESSONS:
        nb = nbformat.read(KIT / "notebooks" / name, as_version=4)
        assert nb.metadata["reportkit"]["portable"] is True
        markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not any(f"s{n:02d}" in markdown for n in range(1, 41)), name


def _retarget(source: Path, dest: Path) -> Path:
    """A lesson as an instructor's copy for the fictional article: its parameters cell set, warnings errors."""
    nb = nbformat.read(source, as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = f'ARTICLE = "{FIXTURE_ID}"'
    nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS, id="warnings-as-errors"))
    nbformat.write(nb, dest / source.name)
    return dest / source.name


@pytest.mark.slow  # two notebooks run twice in kernels: about 40 s on a shared 2-core machine
def test_rehearse_lessons_03_and_04_on_the_fictional_article(fixture_kit: Path, bridge: Article) -> None:
    folder = fixture_kit / "notebooks"
    copies = [_retarget(KIT / "notebooks" / name, folder) for name in LESSONS]
    env = {**os.environ, "REPORTKIT_HOME": str(fixture_kit)}
    env.pop("PYTEST_ADDOPTS", None)
    ran = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                          *map(str, copies)], cwd=fixture_kit, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout and "failed" not in ran.stdout
    # What the learner reads: the fictional article's units and one-sentence sections, nothing of the
    # Kyiv Post's (its notes stay in its own article.json).
    executed = subprocess.run([sys.executable, "-m", "reportkit", "execute", *map(str, copies)], cwd=fixture_kit,
                              env=env, capture_output=True, text=True, timeout=300)
    assert executed.returncode == 0, executed.stderr[-2000:]
    text = " ".join(_outputs(path) for path in copies)
    assert sections.get("03.chain").absent in text and sections.get("04.outlet-reading").absent in text
    kyiv_post = load_article(OWN, KIT)
    assert bridge.sentence("s09").text in text
    assert not [sid for sid, own in kyiv_post.lessons.items() if own.get("note") and own["note"][:60] in text]
    assert not [sid for sid in kyiv_post.ids if kyiv_post.sentence(sid).text in text]


def _outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return " ".join(str(out.get("data", {}).get("text/plain", out.get("text", "")))
                    for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
