"""Lessons 01 and 02 run on any article: their sections pick units from the key, the Kyiv Post keeps
its hand-picked units and prose (article.json "lessons"), and a section the article has nothing for
says so in one sentence. The rehearsal runs both lessons on the fictional harbour-bridge article
under nbval-lax, warnings as errors, as an instructor's release would."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from kits import FIXTURE_ID, codebook_kit, review_proposed_figures, reviewed_fixture_kit

from reportkit import lesson, sections
from reportkit.article import Article, load_article
from reportkit.authoring import new_article, review_entry
from reportkit.key import Key
from reportkit.sections import l01, l02

KIT = Path(__file__).resolve().parent.parent
LESSONS = ("01-page-and-article.ipynb", "02-direct-quotes.ipynb")
WARNINGS_AS_ERRORS = f"import warnings\nwarnings.simplefilter({os.environ.get('REPORTKIT_TEST_WARNINGS', 'error')!r})"
OURS = [sid for sid in sections.registry() if sid.split(".")[0] in ("01", "02")]

# The Kyiv Post's lessons as they were written: the units each section showed and a phrase of its prose.
KYIV_POST = {
    "01.furniture": (["s08", "s12", "s13", "s14", "s15", "s20", "s27", "s37", "s39", "s40"],
                     "On this page, ten of the 40 units are furniture"),
    "01.teaser": (["s12", "s15"], "Between s11 and s16 the page inserts a **teaser** for another Kyiv Post story"),
    "01.pronoun": (["s16"], "So “he” is Zelensky, and s16 is his claim."),
    "01.more-pronouns": (["s23", "s24"], "In s24, “he acknowledged” follows s23, which names"),
    "01.try": (["s13"], None),
    "02.quotation-marks": (["s03", "s04", "s05", "s07", "s16", "s19", "s21", "s34", "s36"],
                           "Nine units of the article contain quotation marks. Only four of them are direct quotes."),
    "02.full-quote": (["s03", "s04", "s21"], "s04 continues the quotation with no new attribution"),
    "02.partial-quote": (["s05", "s07"], "In s05 the reporter paraphrases"),
    "02.brackets": (["s34"], "**[conscription age]** is in square brackets"),
    "02.said-to-whom": (["s33", "s34"], "the key gives its chain as Zelensky ⇢ Sky News (inferred) → Kyiv Post"),
    "02.try": (["s07"], None),
}
# What the key alone picks for the Kyiv Post (its overrides removed): the lesson's own cases come first.
KYIV_POST_FROM_KEY = {
    "01.furniture": KYIV_POST["01.furniture"][0],
    "01.teaser": ["s12", "s14", "s15"],
    "01.pronoun": ["s16"],
    "02.full-quote": ["s03", "s04", "s21"],
    "02.partial-quote": ["s05", "s07", "s16"],
    "02.brackets": ["s34"],
    "02.said-to-whom": ["s33", "s34"],
    "02.try": ["s07"],  # a partial quote the lesson shows but does not explain
}
# The fictional article (tests/kits.py): what each section picks from its reviewed key.
FICTION = {
    "01.furniture": ["s04", "s10", "s11"],
    "01.teaser": ["s10"],
    "01.try": ["s11"],
    "02.quotation-marks": ["s02", "s03", "s05"],
    "02.full-quote": ["s02", "s03"],
    "02.partial-quote": ["s05"],
    "02.try": ["s05"],
}
FICTION_ABSENT = ("01.pronoun", "01.more-pronouns", "02.brackets", "02.said-to-whom")


@pytest.fixture(scope="module")
def fiction_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reviewed_fixture_kit(tmp_path_factory.mktemp("fiction"))


@pytest.fixture(scope="module")
def fiction(fiction_kit: Path) -> Article:
    return load_article(FIXTURE_ID, fiction_kit)


def test_every_section_of_the_two_lessons_is_checked_here():
    assert sorted(OURS) == sorted(KYIV_POST)


# ------------------------------------------------------------------ the Kyiv Post keeps its lessons


@pytest.mark.parametrize("section_id", sorted(KYIV_POST))
def test_kyiv_post_keeps_its_units_and_prose(kyiv_post, section_id):
    units, phrase = KYIV_POST[section_id]
    assert lesson.units(kyiv_post, section_id) == units
    if phrase is not None:
        note = sections.note(kyiv_post, section_id)
        assert phrase in note, note
        assert lesson.section(kyiv_post, section_id).text.startswith(note)


@pytest.mark.parametrize("section_id", sorted(KYIV_POST_FROM_KEY))
def test_the_key_alone_picks_the_kyiv_posts_own_cases(kyiv_post, section_id):
    bare = dataclasses.replace(kyiv_post, lessons={})
    assert lesson.units(bare, section_id) == KYIV_POST_FROM_KEY[section_id]


def test_kyiv_post_counts_drafted_from_the_key_match_its_prose(kyiv_post):
    bare = dataclasses.replace(kyiv_post, lessons={})
    assert sections.note(bare, "01.furniture") == ("On this page, 10 of the 40 units are furniture: "
                                                   "s08, s12–s15, s20, s27, s37, s39–s40.")
    assert sections.note(bare, "02.quotation-marks") == ("9 units of the article contain quotation marks; "
                                                         "4 of them are direct quotes.")


def test_the_pronoun_passage_reads_back_over_the_teaser(kyiv_post):
    passage = lesson.passage(kyiv_post, "01.pronoun").text
    assert passage.split("\n\n")[1].startswith("[s11]") and passage.rstrip().split("\n\n")[-1].startswith("[s16]")


def test_said_to_whom_marks_the_inference_as_an_inference(kyiv_post):
    note = sections.note(dataclasses.replace(kyiv_post, lessons={}), "02.said-to-whom")
    assert "- **s34**: Volodymyr Zelensky ⇢ Sky News (inferred) → Kyiv Post" in note
    assert "the reader's inference, not something the article states" in note


def test_verdicts_explain_the_worked_case_and_leave_the_try_unit_to_the_learner(kyiv_post):
    assert lesson.first_verdict(kyiv_post, "02.partial-quote").text.startswith("s05  reported claim (rules R2)")
    assert "s07" not in lesson.first_verdict(kyiv_post, "02.partial-quote").text
    assert lesson.units(kyiv_post, "02.try") == ["s07"]
    assert lesson.first_verdict(kyiv_post, "01.pronoun").text.startswith("s16  reported claim")
    assert lesson.first_verdict(kyiv_post, "02.brackets").text.startswith("s34  direct quote (rules Q1, Q4, Q5)")


def test_try_cells_ask_about_the_lessons_units(kyiv_post):
    assert "which label fits s13?" in lesson.try_label(kyiv_post, "01.try", ...).text
    assert "which label fits s07?" in lesson.try_label(kyiv_post, "02.try", ...).text


# ------------------------------------------------------------------ another article: from its key


@pytest.mark.parametrize("section_id", sorted(FICTION))
def test_fiction_sections_choose_from_its_key(fiction, section_id):
    assert lesson.units(fiction, section_id) == FICTION[section_id]
    shown = lesson.section(fiction, section_id).text
    assert all(sid in shown for sid in FICTION[section_id])


@pytest.mark.parametrize("section_id", FICTION_ABSENT)
def test_fiction_lacks_some_sections_and_says_so_in_one_sentence(fiction, section_id):
    absent = sections.get(section_id).absent
    assert lesson.units(fiction, section_id) == []
    assert lesson.section(fiction, section_id, explained=True).text == absent
    assert lesson.first_verdict(fiction, section_id).text == "Nothing to explain here: the cell above says why."
    assert absent.count(". ") == 0 and absent.endswith(".")


def test_fiction_notes_come_from_its_key(fiction):
    assert sections.note(fiction, "01.furniture") == "On this page, 3 of the 11 units are furniture: s04, s10–s11."
    assert sections.note(fiction, "02.quotation-marks") == ("3 units of the article contain quotation marks; "
                                                            "2 of them are direct quotes.")
    assert sections.note(fiction, "02.partial-quote") == "- **s05**: the key cites partial quote in a paraphrase (R2)"
    assert sections.note(fiction, "01.teaser") == "- **s10**: the key cites teaser and dek (F2)"
    assert lesson.first_verdict(fiction, "02.partial-quote").text.startswith("s05  reported claim (rules R2)")
    assert lesson.passage(fiction, "01.pronoun").text == sections.get("01.pronoun").absent
    assert "which label fits s11?" in lesson.try_label(fiction, "01.try", ...).text


def test_an_article_without_quotation_marks_shows_no_empty_table(fiction):
    plain = dataclasses.replace(fiction, sentences=tuple(
        dataclasses.replace(s, text=s.text.replace("“", "").replace("”", "")) for s in fiction.sentences))
    assert lesson.quotes_table(plain).text == "No unit of this article contains quotation marks."
    shown = lesson.note_then(plain, "02.quotation-marks", lesson.quotes_table(plain))
    assert l02.quotation_marks(plain) == [] and shown.text == sections.get("02.quotation-marks").absent
    assert "which label fits s05?" in lesson.try_label(plain, "02.try", ...).text  # still a partial quote (R2)


def test_an_article_without_furniture_says_so(fiction):
    furniture = set(l01.furniture(fiction))
    report_only = dataclasses.replace(
        fiction, sentences=tuple(s for s in fiction.sentences if s.id not in furniture),
        key=Key({sid: e for sid, e in fiction.key.entries.items() if sid not in furniture}))
    assert lesson.units(report_only, "01.furniture") == []
    assert lesson.section(report_only, "01.furniture", key=False).text == sections.get("01.furniture").absent
    assert lesson.try_label(report_only, "01.try", ...).text == sections.get("01.try").absent


# ------------------------------------------------------------------ rehearsal: the lessons, retargeted


def _retarget(source: Path, dest: Path, article: str) -> None:
    nb = nbformat.read(source, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = f"ARTICLE = {article!r}"
    nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS))
    nbformat.write(nb, dest)


@pytest.mark.slow  # 20–45 s on this 2-core machine: two notebooks run twice (nbval, then executed to read them)
def test_lessons_run_on_the_fictional_article_under_nbval(fiction_kit, tmp_path):
    env = {**os.environ, "REPORTKIT_HOME": str(fiction_kit)}
    env.pop("PYTEST_ADDOPTS", None)
    for name in LESSONS:
        _retarget(fiction_kit / "notebooks" / name, tmp_path / name, FIXTURE_ID)
    ran = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", *LESSONS],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    # what the learner reads: the fictional article's units and sentences, nothing of the Kyiv Post's
    executed = subprocess.run([sys.executable, "-m", "reportkit", "execute", *LESSONS], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
    assert executed.returncode == 0, executed.stderr[-2000:]
    shown = "\n".join("".join(output.get("data", {}).get("text/plain", "")) for name in LESSONS
                      for c in nbformat.read(tmp_path / name, as_version=4).cells if c.cell_type == "code"
                      for output in c.outputs)
    for rule in load_article(FIXTURE_ID, fiction_kit).codebook.rules:
        shown = shown.replace(rule.text, "")  # the shared codebook's examples come from the Kyiv Post
    for foreign in ("Zelensky", "Kyiv Post", "s16", "s34"):
        assert foreign not in shown, foreign
    for expected in ("Read more: Ferry Services to Expand This Summer", sections.get("01.pronoun").absent,
                     "one row of 11", "3 units of the article contain quotation marks",
                     sections.get("02.brackets").absent):
        assert expected in shown, expected


# ------------------------------------------------------------------ the labelled development texts


def _dev_article(text: Path, kit: Path) -> Article:
    """A development text made into an article by `new`, its key reviewed from its .labels.json."""
    units = json.loads(text.with_suffix(".labels.json").read_text("utf-8"))["units"]
    new_article(text.stem, text, root=codebook_kit(kit), outlet="Dev Outlet", url="https://example.org/dev",
                date="2025-01-01", title=text.stem, newsmaker="")
    for sentence in load_article(text.stem, kit, require_reviewed=False).sentences:
        unit = next(u for u in units if sentence.text in u["text"] or u["text"] in sentence.text)
        rules = unit.get("rules") or []
        review_entry(text.stem, sentence.id, label=unit["label"], rules=rules,
                     rationale=f"The development label ({', '.join(rules)}).", root=kit)
    review_proposed_figures(kit, text.stem)
    return load_article(text.stem, kit)


@pytest.mark.parametrize("text", sorted((KIT / "tests" / "fixtures").glob("dev-*.txt")), ids=lambda p: p.stem)
def test_every_section_shows_something_on_the_development_texts(text, tmp_path):
    article = _dev_article(text, tmp_path)
    for section_id in OURS:
        shown = lesson.section(article, section_id, explained=True).text
        chosen = lesson.units(article, section_id)
        assert shown.strip() and all(sid in shown for sid in chosen), (section_id, shown)
        if not chosen:
            assert shown == sections.get(section_id).absent
        assert lesson.first_verdict(article, section_id).text.strip()
    assert lesson.passage(article, "01.pronoun").text.strip()
    assert lesson.note_then(article, "02.quotation-marks", lesson.quotes_table(article)).text.strip()
    asked = [lesson.try_label(article, f"{n}.try", ...).text for n in ("01", "02")]
    assert all("which label fits" in text for text in asked), asked
