"""The foundation: the seed, the sentences, the key, the figures, and their validation."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.article import list_articles, load_article
from reportkit.errors import DataError
from reportkit.segment import sentence_records

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
SEED_SHA256 = "5df8e9e588f9602ce44e767c79c55020f199481aeed3152f69df6e8de15888eb"


@pytest.fixture(scope="module")
def article():
    return load_article(ARTICLE, KIT)


def test_seed_is_byte_identical_to_the_shared_seed():
    seed = KIT / "seeds" / f"{ARTICLE}.txt"
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == SEED_SHA256
    shared = KIT.parent / "shared" / "seeds" / "000_76ccb57334b8730e.txt"
    if shared.exists():  # present on the team's machines and in CI
        assert seed.read_bytes() == shared.read_bytes()


def test_sentences_reassemble_the_article_exactly(article):
    assert article.reassemble() == article.text
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
    gaps = [article.text[a.end : b.start] for a, b in zip(article.sentences, article.sentences[1:], strict=False)]
    assert all(not gap.strip() for gap in gaps)


def test_segmentation_is_reproducible_from_the_seed_and_recorded_corrections(article):
    recorded = json.loads((article.data_dir / "sentences.json").read_text("utf-8"))
    assert sentence_records(article.text, recorded["corrections"]) == recorded["sentences"]


def test_segmenter_keeps_tricky_units_whole(article):
    texts = [s.text for s in article.sentences]
    assert any(t.startswith("“Our army lacks the strength to do that. That is true,” he said") for t in texts)
    assert any("Speaking to Table.Briefings, as reported by European Pravda" in t for t in texts)
    assert any(t.startswith("“Some leaders told me") and t.endswith("he stated.") for t in texts)
    assert article.sentence("s04").continues == "s03"


def test_every_sentence_is_keyed_with_a_rationale_citing_the_codebook(article):
    assert [e.id for e in article.key] == article.ids
    for entry in article.key:
        assert entry.rationale.strip()
        assert entry.rules, entry.id
        assert re.search(rf"\b{entry.rules[0]}\b", entry.rationale), f"{entry.id} does not cite {entry.rules[0]}"
        assert not re.search(r"\b(Dmytro|Volodymyr Zelenskyy)\b", entry.rationale)  # only names the article uses
        for alt in entry.accepted:
            assert alt.label != entry.label and alt.note.strip()


def test_key_covers_all_five_labels_and_the_page_furniture(article):
    labels = {e.label for e in article.key}
    assert labels == set(article.codebook.label_ids)
    advertisement = [s.id for s in article.sentences if s.text == "Advertisement"]
    assert advertisement and all(article.key[sid].label == "furniture" for sid in advertisement)


def test_figures_ledger_points_at_sentences_that_contain_the_numbers(article):
    numbers = {f.text for f in article.figures}
    for expected in ("12,000", "60,000", "350,000", "1 million", "two and a half", "ten brigades", "18", "three years"):
        assert expected in numbers
    for figure in article.figures:
        assert figure.text in article.sentence(figure.sentence).text


def test_list_articles():
    assert ARTICLE in list_articles(KIT)


# --- bad data files: each names the file, the record and the field --------------------------

@pytest.fixture
def kit_copy(tmp_path):
    for folder in ("data", "seeds"):
        shutil.copytree(KIT / folder, tmp_path / folder)
    return tmp_path


def _edit(root: Path, name: str, change) -> None:
    path = root / "data" / ARTICLE / name
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


def _problems(root: Path) -> str:
    with pytest.raises(DataError) as caught:
        load_article(ARTICLE, root)
    return str(caught.value)


def _entry(doc, sid):
    return next(e for e in doc["entries"] if e["id"] == sid)


def test_unknown_label_is_named(kit_copy):
    _edit(kit_copy, "key.json", lambda d: _entry(d, "s07").update(label="quot"))
    message = _problems(kit_copy)
    assert f"data/{ARTICLE}/key.json: record 's07' (#7), field 'label': unknown label 'quot'" in message


def test_offsets_that_do_not_match_the_seed_are_named(kit_copy):
    _edit(kit_copy, "sentences.json", lambda d: d["sentences"][4].update(start=d["sentences"][4]["start"] + 3))
    message = _problems(kit_copy)
    assert f"data/{ARTICLE}/sentences.json: record 's05' (#5), field 'start'" in message


def test_sentence_without_a_key_entry_is_named(kit_copy):
    _edit(kit_copy, "key.json", lambda d: d["entries"].pop(11))
    assert "field 'entries': sentence 's12' has no key entry" in _problems(kit_copy)


def test_duplicate_id_is_named(kit_copy):
    _edit(kit_copy, "key.json", lambda d: d["entries"].append(dict(_entry(d, "s03"))))
    assert "record 's03' (#41), field 'id': duplicate id 's03'" in _problems(kit_copy)


def test_accepted_label_equal_to_the_main_label_is_named(kit_copy):
    _edit(kit_copy, "key.json", lambda d: _entry(d, "s09")["accepted"].append({"label": "analysis", "note": "x"}))
    assert "record 's09' (#9), field 'accepted': 'analysis' is the main label" in _problems(kit_copy)


def test_bad_figure_reference_is_named(kit_copy):
    _edit(kit_copy, "figures.json", lambda d: d["figures"][0].update(sentence="s12"))
    message = _problems(kit_copy)
    assert "figures.json: record 'f01' (#1), field 'text': '12,000' does not occur in sentence s12" in message
    _edit(kit_copy, "figures.json", lambda d: d["figures"][0].update(sentence="s99"))
    assert "record 'f01' (#1), field 'sentence': no sentence 's99'" in _problems(kit_copy)


def test_schema_errors_name_the_field(kit_copy):
    _edit(kit_copy, "key.json", lambda d: _entry(d, "s02")["attribution"].update(cue_stance="sceptical"))
    assert "record 's02' (#2), field 'attribution.cue_stance': 'sceptical' is not one of" in _problems(kit_copy)


def test_corrupt_json_is_named_with_its_position(kit_copy):
    path = kit_copy / "data" / ARTICLE / "key.json"
    path.write_text(path.read_text("utf-8")[:500], "utf-8")
    assert f"data/{ARTICLE}/key.json: not valid JSON:" in _problems(kit_copy)


def test_changed_seed_is_detected(kit_copy):
    seed = kit_copy / "seeds" / f"{ARTICLE}.txt"
    seed.write_bytes(seed.read_bytes().replace(b"Advertisement", b"Advertisment"))
    message = _problems(kit_copy)
    assert "field 'sha256'" in message and "the text changed" in message


def test_cue_that_is_not_in_the_sentence_is_named(kit_copy):
    _edit(kit_copy, "key.json", lambda d: _entry(d, "s11")["attribution"].update(cue="claimed"))
    assert "record 's11' (#11), field 'attribution.cue': cue 'claimed' does not occur" in _problems(kit_copy)


def test_all_problems_are_listed_at_once(kit_copy):
    def two_faults(doc):
        _entry(doc, "s01").update(label="nope")
        _entry(doc, "s02").update(rules=["Z9"])
    _edit(kit_copy, "key.json", two_faults)
    error = pytest.raises(DataError, load_article, ARTICLE, kit_copy).value
    assert len(error.problems) == 2


# --- the command line ----------------------------------------------------------------------

def run_cli(*args: str, cwd: Path = KIT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_cli_articles_lists_ids():
    result = run_cli("articles")
    assert result.returncode == 0 and ARTICLE in result.stdout.splitlines()


def test_cli_show_prints_the_article_with_ids():
    result = run_cli("show", ARTICLE)
    assert result.returncode == 0
    assert "[s01] Ukrainian President Volodymyr Zelensky" in result.stdout
    assert "[s40] You can also highlight the text" in result.stdout


def test_cli_key_json_has_the_promised_fields(article):
    result = run_cli("key", ARTICLE, "--json")
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == article.ids
    for field in ("id", "text", "label", "accepted", "source", "channel"):
        assert all(field in r for r in rows)
    s23 = next(r for r in rows if r["id"] == "s23")
    assert s23["channel"] == ["Jens Stoltenberg", "Table.Briefings", "European Pravda", "Kyiv Post"]


def test_cli_validate_ok_and_broken(kit_copy):
    assert run_cli("validate", ARTICLE).returncode == 0
    _edit(kit_copy, "key.json", lambda d: _entry(d, "s07").update(label="quot"))
    result = run_cli("validate", ARTICLE, cwd=kit_copy)
    assert result.returncode == 1
    assert "unknown label 'quot'" in result.stderr and "key.json" in result.stderr


def test_cli_unknown_article_is_a_clear_error():
    result = run_cli("validate", "no-such-article")
    assert result.returncode == 1 and "no article 'no-such-article'" in result.stderr


@pytest.mark.parametrize("command", ["articles", "show", "key", "validate"])
def test_cli_help_for_every_command(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "usage: python -m reportkit" in result.stdout


def test_import_is_light():
    code = "import time; t=time.perf_counter(); import reportkit; print(time.perf_counter()-t)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(result.stdout) < 0.3
    probe = ("import sys, reportkit; "
             "print(sorted(m for m in ('jsonschema', 'ipywidgets', 'matplotlib', 'pysbd') if m in sys.modules))")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert heavy.stdout.strip() == "[]"


def test_a_key_written_twice_in_one_object_is_a_problem_not_a_silent_loss(tmp_path):
    """A hand merge of article.json can leave two "lessons" objects: JSON would keep only the last."""
    kit = tmp_path / "kit"
    for name in ("data", "seeds"):
        shutil.copytree(KIT / name, kit / name)
    path = kit / "data" / ARTICLE / "article.json"
    text = path.read_text("utf-8")
    path.write_text(text.rstrip().rstrip("}") + ', "lessons": {}\n}\n', "utf-8")
    with pytest.raises(DataError, match="'lessons': this key appears twice in one object"):
        load_article(ARTICLE, kit)
