"""One learner, step by step: intake → release lookup → rebuild → sandboxed run → outcomes →
rule re-runs → scoring. Never raises: a grader failure on one hand-in is that learner's ``error``."""

from __future__ import annotations

import json
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.grading import intake, runner
from reportkit.grading.model import FlagCode, LearnerResult, Status, file_stem
from reportkit.grading.outcomes import Outcomes
from reportkit.grading.rebuilder import RECORDS_FILE, rebuild, rule_cells
from reportkit.grading.recorder import read_records
from reportkit.grading.releases import ReleasedNotebook, Releases, article_and_questions
from reportkit.grading.scoring import score_notebook, zero
from reportkit.grading.tagging import tagging_answers
from reportkit.ziputil import Limits, UnsafeArchive


@dataclass(frozen=True)
class GradeOptions:
    kit: Path  # the instructor's kit (with the key): scoring only, never mounted for learner code
    releases: Releases
    scratch: Path
    sandbox_kit: Path  # the key-free kit learner code sees
    limits: runner.RunLimits = runner.DEFAULT_LIMITS
    zip_limits: Limits = Limits()
    sandboxed: bool = True
    keep_scratch: bool = False
    mpl_cache: Path | None = None  # a warm matplotlib cache folder, copied to each learner


@dataclass
class Planned:
    """A notebook to run: the release it is graded against and what was read of the hand-in."""

    released: ReleasedNotebook
    rebuilt: Any
    tagging: dict[str, Any] = field(default_factory=dict)


def grade_learner(learner: str, handin: Path, options: GradeOptions) -> LearnerResult:
    """Grade one hand-in; never raises (a grader failure becomes status ``error``)."""
    started = time.monotonic()
    result = LearnerResult(learner)
    scratch = options.scratch / file_stem(learner)
    try:
        _grade_into(result, handin, options, scratch)
    except Exception as error:  # noqa: BLE001 - one broken hand-in must not stop the class
        result.worsen(Status.ERROR)
        result.notes.append(f"the grader failed on this hand-in: {type(error).__name__}: {error}")
        (options.scratch / f"{file_stem(learner)}.error.txt").write_text(traceback.format_exc(), "utf-8")
    finally:
        if not options.keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 2)
    if not options.sandboxed:
        result.flag(FlagCode.UNSANDBOXED, "graded with --no-sandbox")
    result.settle()
    return result


def _questions(options: GradeOptions, released: ReleasedNotebook) -> tuple[Any, dict[str, Any]]:
    return article_and_questions(str(options.kit), released.article)


def _grade_into(result: LearnerResult, handin: Path, options: GradeOptions, scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    files, work, mpl = scratch / "handin", scratch / "work", scratch / "mpl"
    for folder in (files, work):
        folder.mkdir(parents=True)
    if options.mpl_cache is not None and options.mpl_cache.is_dir():
        shutil.copytree(options.mpl_cache, mpl)
    else:
        mpl.mkdir()
    try:
        intake.unpack(handin, files, options.zip_limits, result)
    except UnsafeArchive as error:
        result.worsen(Status.BAD_ARCHIVE)
        result.notes.append(f"{handin.name} was not graded: {str(error).rstrip('.')}.")
        for rel in options.releases.default:
            result.questions += zero(rel, _questions(options, rel)[1], "not graded (unsafe or unreadable archive).")
        return
    planned = _plan(result, files, options, work)
    if not planned:
        return
    place = runner.RunPlace(options.sandbox_kit, work, mpl, options.sandboxed)
    n_cells = sum(sum(1 for c in p.rebuilt.cells if c.cell_type == "code") for p in planned)
    finished, _ = runner.run_notebooks(place, [p.released.name for p in planned], options.limits, n_cells)
    code_cells = {p.released.name: [c for c in p.rebuilt.cells if c.cell_type == "code"] for p in planned}
    events = runner.read_guard_log(work / runner.GUARD_LOG)
    if finished and not events:  # not a single cell ran: the runner itself failed (a grader problem)
        log = (scratch / runner.PYTEST_LOG).read_text("utf-8", errors="replace").strip().splitlines()
        raise RuntimeError(f"the notebooks did not run: {log[-1] if log else 'no output'}")
    halted = Outcomes(result, code_cells, options.limits).read(events, finished)
    records = read_records(work / RECORDS_FILE)
    for p in planned:
        article, questions = _questions(options, p.released)
        rules = _rerun_rules(p, records, article, place, options)
        score_notebook(result, p.released, article, questions, records, p.tagging, rules, halted.get(p.released.name))


def _plan(result: LearnerResult, files: Path, options: GradeOptions, work: Path) -> list[Planned]:
    """Choose, read and rebuild each released notebook found in the hand-in; zero the rest."""
    releases = options.releases.all
    bundles = intake.open_bundles(files, options.zip_limits, result)
    found, extra = intake.find_candidates(files, {r.name for r in releases})
    for path in extra:
        if not path.endswith(tuple(f"/{intake.canonical_name(n)}" for n in bundles)):
            result.flag(FlagCode.EXTRA_NOTEBOOK, f"{path} is not an exercise; ignored")
    planned, missing, invalid = [], [], 0
    for rel in releases:
        candidates = found.get(rel.name, [])
        if intake.canonical_name(rel.name) in bundles:
            candidates = [bundles[intake.canonical_name(rel.name)], *candidates]
        chosen = _choose(result, rel, candidates)
        if chosen is None:
            if candidates:
                invalid += 1
            else:
                missing.append(rel.name)
            result.questions += zero(rel, _questions(options, rel)[1],
                                     f"not graded: {rel.name} was {'not valid' if candidates else 'not handed in'}.")
            continue
        planned.append(_prepare(result, rel, chosen, options, work))
    _completeness(result, releases, missing, invalid)
    return planned


def _read_candidate(candidate: intake.Candidate) -> bool:
    """Load a copy's notebook and what ranks it (its answers' revision and save time, answers given)."""
    import nbformat

    from reportkit.answers import read_all_answers_from_notebook

    try:
        nb = nbformat.reads(candidate.path.read_text("utf-8"), as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("it has no list of cells")
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on bad input
        candidate.nb = error
        return False
    candidate.nb = nb
    copies = list(read_all_answers_from_notebook(nb).values())
    candidate.revision = max((c.revision for c in copies), default=0)
    candidate.saved_at = max((c.saved_at or "" for c in copies), default="")
    candidate.answered = sum(1 for c in nb.cells if (c.get("metadata", {}).get("reportkit") or {}).get("role")
                             == "answer" and "..." not in "".join(c.get("source", "")))
    return True


def _choose(result: LearnerResult, rel: ReleasedNotebook,
            candidates: list[intake.Candidate]) -> intake.Candidate | None:
    valid = [c for c in candidates if _read_candidate(c)]
    for bad in (c for c in candidates if c not in valid):
        why = str(bad.nb).splitlines()[0][:200] if str(bad.nb) else type(bad.nb).__name__
        result.notes.append(f"{bad.shown} is not a valid notebook ({why}).")
    if not valid:
        if candidates:
            result.worsen(Status.INVALID)
        return None
    chosen = max(valid, key=lambda c: c.rank())
    if len(candidates) > 1:
        others = ", ".join(c.shown for c in candidates if c is not chosen)
        why = "a hand-in bundle" if chosen.bundle else f"answers revision {chosen.revision}, {chosen.answered} answered"
        result.flag(FlagCode.DUPLICATE_NOTEBOOK, f"{rel.name} found {len(candidates)} times; graded {chosen.shown} "
                    f"({why}), not {others}", rel.name)
    if not chosen.bundle and Path(chosen.shown).name != rel.name:
        result.flag(FlagCode.RENAMED, f"{chosen.shown} graded as {rel.name}", rel.name)
    return chosen


def _prepare(result: LearnerResult, rel: ReleasedNotebook, chosen: intake.Candidate, options: GradeOptions,
             work: Path) -> Planned:
    """Grade against the release the notebook came from; read its tags; write the rebuilt notebook."""
    import nbformat

    stamped = str((chosen.nb.metadata.get("reportkit") or {}).get("release") or "")
    own = options.releases.for_handin(rel, stamped) if stamped else None
    if own is not None:
        rel = own
    elif stamped and stamped != rel.release:
        result.flag(FlagCode.RELEASE_MISMATCH, f"{rel.name} comes from release {stamped}, graded against "
                    f"{rel.release or 'the kit'}", rel.name)
    result.releases.append(rel.release)
    article, questions = _questions(options, rel)
    tagging: dict[str, Any] = {}
    for qid in rel.questions:
        if qid in questions and questions[qid].kind == "tagging":
            exercise = questions[qid].spec.get("exercise") or rel.tagger_exercise or qid
            tagging[qid], copy = tagging_answers(chosen.nb, chosen.path.parent, exercise, article, rel.name, result)
            if copy is not None:  # the kernel's tagger reads it, as in class
                (work / f"{exercise}.answers.json").write_text(json.dumps(copy.to_dict()), "utf-8")
    rebuilt = rebuild(rel, chosen.nb, result)
    nbformat.write(rebuilt, work / rel.name)
    return Planned(rel, rebuilt, tagging)


def _completeness(result: LearnerResult, releases: list[ReleasedNotebook], missing: list[str], invalid: int) -> None:
    if not missing:
        return
    if len(missing) == len(releases):
        result.worsen(Status.MISSING)
        result.notes.append(f"none of the exercise notebooks ({', '.join(r.name for r in releases)}) was handed in.")
    else:
        result.worsen(Status.INCOMPLETE)
        result.notes.append(f"not handed in: {', '.join(missing)}.")


def _rerun_rules(p: Planned, records: dict[str, dict[str, Any]], article: Any, place: runner.RunPlace,
                 options: GradeOptions) -> dict[str, Any]:
    """Rule answers (functions) run again by the grader, in the sandbox, on the genuine baseline."""
    from dataclasses import asdict

    from reportkit.baseline import propose_article

    rules: dict[str, Any] = {}
    for qid in p.released.questions:
        if "rule" not in records.get(qid, {}):
            continue
        job = {"proposals": [asdict(x) for x in propose_article(article)],
               "cells": rule_cells(p.released, p.rebuilt, qid), "expr": p.released.answer_exprs.get(qid, qid)}
        rules[qid] = runner.run_rule(place, job, options.limits, qid)
    return rules
