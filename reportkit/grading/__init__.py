"""Grade a class: ``python -m reportkit grade SUBMISSIONS --out REPORT``.

One module per step, each with its own tests:

1. :mod:`~reportkit.grading.intake` — hand-ins (folders, zips, hand-in bundles) into scratch copies;
2. :mod:`~reportkit.grading.releases` — the released notebooks each hand-in is graded against;
3. :mod:`~reportkit.grading.inspection`, :mod:`~reportkit.grading.rebuilder` — the notebook the grader
   runs: the release with the learner's answers, check cells replaced by the recorder;
4. :mod:`~reportkit.grading.sandbox` — bubblewrap: learner code never sees the key or other learners;
5. :mod:`~reportkit.grading.runner` (with :mod:`~reportkit.grading.nbval_guard`,
   :mod:`~reportkit.grading.recorder`, :mod:`~reportkit.grading.rulerun`) — real ``pytest --nbval-lax``
   in the sandbox; :mod:`~reportkit.grading.outcomes` reads its structured events;
6. :mod:`~reportkit.grading.tagging` — tagging answers from the hand-in's files;
7. :mod:`~reportkit.grading.scoring` — points with the key, outside the sandbox;
8. :mod:`~reportkit.grading.report` — gradebook, feedback, results.json, class report (with
   :mod:`~reportkit.grading.itemanalysis`: where most of the class disagrees with the key).

After grading, from results.json alone (:mod:`~reportkit.grading.resultsfile` reads it back):
:mod:`~reportkit.grading.adjustments` (the instructor's changes, with reasons),
:mod:`~reportkit.grading.rescore` (``grade --rescore``: the recorded answers against the current key),
:mod:`~reportkit.grading.shards` and :mod:`~reportkit.grading.merge` (``grade --shard K/N`` on many
machines, then ``merge``), :mod:`~reportkit.grading.export` (Canvas and Moodle gradebooks),
:mod:`~reportkit.grading.transfer` (``transfer``: two reports, the studied and an unseen article, per label).

:mod:`~reportkit.grading.learner` chains the steps for one learner; :mod:`~reportkit.grading.classroom`
runs the class and the command line. Importing this package is cheap (the recorder loads in every
learner's kernel): names below load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "grade_class": "classroom", "register": "classroom", "cmd_grade": "classroom",
    "grade_learner": "learner", "GradeOptions": "learner",
    "LearnerResult": "model", "QuestionResult": "model", "Status": "model", "FlagCode": "model",
    "ReleasedNotebook": "releases", "load_release": "releases", "Releases": "releases",
    "rebuild": "rebuilder", "inspect_answer": "inspection", "tagging_answers": "tagging",
    "write_report": "report", "export_report": "export",
    "read_adjustments": "adjustments", "load_results": "resultsfile", "shard_of": "shards",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reportkit.grading' has no attribute {name!r}")
    return getattr(import_module(f"reportkit.grading.{module}"), name)
