"""How long "Bring your own article" takes: a new article made, reviewed by keyboard, validated, released.

Follows the README's "Bring your own article" walk-through (and docs/tagger.md, "Author mode") as a
new instructor does it, on the held-out fixture ``tests/fixtures/heldout-varnia-talks.txt``, to back
the claim "a taggable, gradable kit for a new article in under ten minutes of the instructor's own
work besides reading the article". In a temporary copy of the kit (data/ with only the Kyiv Post
article, seeds/, notebooks/, solutions/, exercises/, reportkit/; REPORTKIT_HOME set to it) it

1. runs ``python -m reportkit new heldout-varnia-talks --from … --outlet … --url … --date …
   --newsmaker …``;
2. starts a real JupyterLab and headless Chromium (tests/browser/labdriver.py), runs a notebook with
   ``Tagger("heldout-varnia-talks", author=True)``, clicks the first sentence and reviews EVERY unit
   by keyboard. The right label of each unit comes from a blind labeller
   (``heldout-varnia-talks.labels.json``; each kit unit takes the label of the labelled unit it
   overlaps most, as in benchmarks/measure_baseline.py). Where the baseline's proposal is right:
   Enter (the suggested rationale and rule are accepted). Where it is not: the label's digit, a
   check that the panel's suggestion follows the new label, then Enter. Should a confirm be refused
   (no suggestion), the fallback is ``r``, Ctrl+A, a short rationale citing the labeller's rule,
   a click on that rule's box (if not ticked) and Ctrl+Enter. Every keystroke, click and typed character is counted;
3. runs ``validate`` (must exit 0), ``release --article … --out …`` and the same with ``--graded``.

It then checks that key.json holds every unit reviewed with the target label, and saves a
screenshot of the finished widget to ``bench-output/author-walkthrough.png`` (git-ignored).

Prints: MEASURED machine wall time per step (``new``, JupyterLab start, notebook open to widget
shown, the review with the per-confirm round trip, validate, both releases); the number of units,
how many needed a fix, keystrokes, clicks and typed characters; and a MODEL ESTIMATE (not a
measurement) of the instructor's hands-on time with the Keystroke-Level Model (K 0.28 s per
keystroke or typed character, P 1.1 s per click, M 1.35 s per decision (one per unit, one more per fix
or typed rationale), H 0.4 s per move between keyboard and mouse) plus stated fixed allowances for the
steps a script cannot simulate (saving the article as text, typing the commands, making the
notebook), against the 10-minute target as total / 600 s; the same estimate extrapolated to a
40-unit article with the same fix rate; and two sensitivity lines (slower decisions; typing the
labeller's rationale for the units whose accepted suggestion cites none of the labeller's rules,
which are listed).

The machine is shared and may be busy: machine times are what this run took, not a best case.
Everything except the screenshot is written to a temporary folder.
Run: ``.venv/bin/python benchmarks/bench_author.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests" / "browser"), str(REPO / "tests"), str(REPO / "benchmarks"), str(REPO)]

from kits import copy_kit  # noqa: E402
from labdriver import RUN_ALL, launch_chromium, running_lab, write_notebook  # noqa: E402
from measure_baseline import heldout_gold  # noqa: E402

ARTICLE = "heldout-varnia-talks"
FIXTURE = REPO / "tests" / "fixtures" / f"{ARTICLE}.txt"
LABELS = FIXTURE.with_suffix(".labels.json")
NEW_ARGS = ["new", ARTICLE, "--from", str(FIXTURE), "--outlet", "Lusenna Courier",
            "--url", "https://example.org/varnia", "--date", "2031-03-14", "--newsmaker", "Ilya Dornev"]
NOTEBOOK = "review-varnia.ipynb"
NOTEBOOK_CELL = f'from reportkit import Tagger\ntagger = Tagger("{ARTICLE}", author=True)\ntagger'
SHOT = REPO / "bench-output" / "author-walkthrough.png"
TARGET_S = 600.0
EXTRAPOLATE_TO = 40

# Keystroke-Level Model operators (Card, Moran & Newell), seconds.
K, P, M, H = 0.28, 1.1, 1.35, 0.4
# Steps no script can do for the instructor: seconds, stated in the output.
ALLOWANCES = [
    (120, "copy the article's body from the web page into a text file and clean it (one paragraph a line)"),
    (60, "type the `new` command (id, --from, --outlet, --url, --date, --newsmaker)"),
    (30, "glance over the cut that `new` prints (one unit per sentence or page line)"),
    (30, "open JupyterLab, make a notebook and type the Tagger line, run it"),
    (30, "type `validate` and the two `release` commands"),
]


# ---------------------------------------------------------------------------- the kit and its target


@dataclass
class Unit:
    sid: str
    text: str
    proposed: str  # the baseline's label, as `new` wrote it
    target: str  # the blind labeller's label for the unit it overlaps most
    target_rules: list[str]
    target_why: str  # the labeller's own rationale


def target_units(kit: Path) -> list[Unit]:
    """Each unit of the new article with the labelled unit it overlaps most (cross-checked with heldout_gold)."""
    folder = kit / "data" / ARTICLE
    sentences = json.loads((folder / "sentences.json").read_text("utf-8"))["sentences"]
    key = {e["id"]: e for e in json.loads((folder / "key.json").read_text("utf-8"))["entries"]}
    text = (kit / "seeds" / f"{ARTICLE}.txt").read_text("utf-8")
    spans, at = [], 0
    for unit in json.loads(LABELS.read_text("utf-8"))["units"]:
        start = text.index(unit["text"], at)
        spans.append((start, start + len(unit["text"]), unit))
        at = start + len(unit["text"])
    _, gold, _, _ = heldout_gold(FIXTURE)
    units = []
    for s in sentences:
        overlap = [(min(s["end"], e) - max(s["start"], b), u) for b, e, u in spans
                   if min(s["end"], e) > max(s["start"], b)]
        unit = max(overlap, key=lambda item: item[0])[1]
        assert unit["label"] == gold[s["id"]], (s["id"], unit["label"], gold[s["id"]])
        units.append(Unit(s["id"], s["text"], key[s["id"]]["label"], unit["label"], list(unit["rules"]),
                          unit["why"]))
    return units


def key_entries(kit: Path) -> dict[str, dict[str, Any]]:
    path = kit / "data" / ARTICLE / "key.json"
    return {e["id"]: e for e in json.loads(path.read_text("utf-8"))["entries"]}


def run_cli(kit: Path, args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """``python -m reportkit ARGS`` in the kit's folder, as the README has it; (seconds, result)."""
    env = {**os.environ, "REPORTKIT_HOME": str(kit)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=kit, env=env, capture_output=True,
                          text=True, check=False)
    return time.perf_counter() - t0, done


# ---------------------------------------------------------------------------- the instructor's hands


@dataclass
class Hands:
    """Presses keys and clicks through Playwright, counting what a person would do."""

    page: Any
    keystrokes: int = 0  # command keys; a chord such as Ctrl+Enter counts each key
    typed: int = 0  # characters typed into a field
    clicks: int = 0
    homings: int = 0  # moves of the hand between keyboard and mouse
    decisions: int = 0
    on: str = "keyboard"

    def _use(self, device: str) -> None:
        if self.on != device:
            self.homings += 1
            self.on = device

    def press(self, key: str) -> None:
        self._use("keyboard")
        self.keystrokes += len(key.split("+"))
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self._use("keyboard")
        self.typed += len(text)
        self.page.keyboard.type(text)

    def click(self, locator: Any) -> None:
        self._use("mouse")
        self.clicks += 1
        locator.click()

    def decide(self) -> None:
        self.decisions += 1

    def seconds(self) -> float:
        """The Keystroke-Level Model's estimate of these actions (a model, not a measurement)."""
        return K * (self.keystrokes + self.typed) + P * self.clicks + H * self.homings + M * self.decisions


@dataclass
class Review:
    fixed: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    suggestion_mismatch: list[str] = field(default_factory=list)
    rule_differs: list[str] = field(default_factory=list)  # accepted suggestions citing none of the labeller's rules
    round_trips: list[float] = field(default_factory=list)  # s from the confirming key to saved + next shown


def wait_until(check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got = check()
        except (OSError, ValueError):
            got = None
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def panel_state(page: Any, sid: str) -> dict[str, Any]:
    return page.evaluate("""(sid) => {
        const row = document.querySelector(`.rk-row[data-id='${sid}']`);
        const panel = row && row.querySelector('.rk-author-panel');
        if (!panel) return null;
        return {
          loading: panel.classList.contains('rk-loading'),
          rationale: panel.querySelector('.rk-rationale').value,
          suggested: !panel.querySelector('.rk-suggested').hidden,
          rules: [...panel.querySelectorAll('.rk-rule input')].filter(i => i.checked).map(i => i.value),
          error: panel.querySelector('.rk-a-error').hidden ? '' : panel.querySelector('.rk-a-error').textContent,
        };
    }""", sid)


def review_all(page: Any, kit: Path, units: list[Unit], hands: Hands) -> Review:
    """Review every unit by keyboard as the README's step 3 says, checking key.json after each confirm."""
    from reportkit.authoring import suggest_review
    from reportkit.key import load_codebook

    codebook = load_codebook(kit)
    shortcut = {label.id: label.shortcut for label in codebook.labels}
    rule_label = {rule.id: rule.label for rule in codebook.rules}
    result = Review()
    row = lambda sid: page.locator(f".rk-row[data-id='{sid}']")  # noqa: E731

    # "Click the widget": the first sentence, with the mouse; then the keys.
    hands.click(row(units[0].sid).locator(".rk-text"))
    for i, unit in enumerate(units):
        sid = unit.sid
        page.locator(f".rk-row.rk-selected[data-id='{sid}']").wait_for()
        state = wait_until(lambda sid=sid: (s := panel_state(page, sid)) and not s["loading"] and s, f"{sid}'s panel")
        hands.decide()  # read the sentence, the label and the suggestion: right or not?
        if unit.proposed != unit.target:
            hands.decide()  # which label instead
            result.fixed.append(sid)
            before = state["rationale"]
            hands.press(shortcut[unit.target])
            row(sid).locator(f"button[data-label='{unit.target}'][aria-checked='true']").wait_for()
            state = wait_until(lambda sid=sid, before=before: (s := panel_state(page, sid)) and not s["loading"]
                               and s["rationale"] != before and s, f"{sid}'s suggestion for {unit.target}")
            # The suggestion must follow the new label: rules of that label, the kernel's own draft.
            entry = key_entries(kit)[sid]
            previous = units[i - 1].target if i else None
            want_rationale, want_rules = suggest_review(entry, unit.text, previous)
            own = all(rule_label.get(r) in (unit.target, "any") for r in state["rules"])
            if state["rationale"] != want_rationale or state["rules"] != want_rules or not own:
                result.suggestion_mismatch.append(f"{sid}: shows {state['rationale']!r} {state['rules']}, "
                                                  f"expected {want_rationale!r} {want_rules}")
        if not set(state["rules"]) & set(unit.target_rules):
            result.rule_differs.append(sid)
        t0 = time.perf_counter()
        hands.press("Enter")
        outcome = wait_until(lambda sid=sid: "saved" if key_entries(kit)[sid]["reviewed"]
                             else ((panel_state(page, sid) or {}).get("error") or None), f"{sid} confirmed or refused")
        if outcome != "saved":  # refused (e.g. no suggestion): write the rationale, tick the rule, Ctrl+Enter
            result.fallbacks.append(f"{sid}: {outcome}")
            hands.decide()  # what to write
            rule = next(r for r in unit.target_rules if rule_label.get(r) in (unit.target, "any"))
            hands.press("r")
            hands.press("Control+a")
            hands.type(f"{codebook.label(unit.target).name}: the codebook's rule {rule} decides it ({rule}).")
            box = row(sid).locator(f".rk-rule input[value='{rule}']")
            if not box.is_checked():
                hands.click(box)
            t0 = time.perf_counter()
            hands.press("Control+Enter")
            wait_until(lambda sid=sid: key_entries(kit)[sid]["reviewed"], f"{sid} confirmed after the fallback")
        if i + 1 < len(units):
            page.locator(f".rk-row.rk-selected[data-id='{units[i + 1].sid}'] .rk-author-panel").wait_for()
        else:
            page.locator(".rk-summary", has_text="are reviewed").wait_for()
        result.round_trips.append(time.perf_counter() - t0)
        saved = key_entries(kit)[sid]
        assert saved["label"] == unit.target, (sid, saved["label"], unit.target)
    return result


# ---------------------------------------------------------------------------- main


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-author-"))
    kit = copy_kit(tmp / "kit")
    machine: dict[str, float] = {}

    machine["new"], done = run_cli(kit, NEW_ARGS)
    assert done.returncode == 0, done.stderr
    units = target_units(kit)

    state = tmp / "state"
    write_notebook(kit / NOTEBOOK, [NOTEBOOK_CELL])  # "make a new notebook anywhere in the kit"
    t0 = time.perf_counter()
    with running_lab(state, kit, env={"REPORTKIT_HOME": str(kit)}) as lab, sync_playwright() as playwright:
        machine["lab"] = time.perf_counter() - t0
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(180_000)
        page.on("dialog", lambda dialog: dialog.accept())
        t0 = time.perf_counter()
        page.goto(lab.notebook_url(NOTEBOOK))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.evaluate(RUN_ALL)
        page.locator(".rk-progress", has_text=f"0 of {len(units)} reviewed").wait_for()
        machine["open"] = time.perf_counter() - t0

        hands = Hands(page)
        t0 = time.perf_counter()
        review = review_all(page, kit, units, hands)
        machine["review"] = time.perf_counter() - t0
        page.locator(".rk-progress", has_text=f"{len(units)} of {len(units)} reviewed").wait_for()

        SHOT.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 4000})  # the whole widget in one picture
        page.locator(".rk-tagger").screenshot(path=str(SHOT))
        browser.close()

    key = key_entries(kit)
    wrong = [f"{u.sid}: {key[u.sid]['label']} (reviewed={key[u.sid]['reviewed']}), want {u.target}"
             for u in units if key[u.sid]["label"] != u.target or not key[u.sid]["reviewed"]]
    assert not wrong and len(key) == len(units), wrong

    figures_done = review_figures(kit)
    machine["figures"] = figures_done[0]
    machine["validate"], validated = run_cli(kit, ["validate", ARTICLE])
    assert validated.returncode == 0, validated.stdout + validated.stderr
    machine["questions"], asked = run_cli(kit, ["questions", ARTICLE])
    assert asked.returncode == 0, asked.stdout + asked.stderr
    questions = question_review(kit)
    machine["release"], released = run_cli(kit, ["release", "--article", ARTICLE, "--out", str(tmp / "learners")])
    assert released.returncode == 0, released.stderr
    machine["graded"], graded = run_cli(kit, ["release", "--article", ARTICLE, "--out", str(tmp / "exam"), "--graded"])
    assert graded.returncode == 0, graded.stderr

    machine["transfer"], final = run_cli(kit, ["release", "--article", ARTICLE, "--out", str(tmp / "final"),
                                               "--transfer"])
    assert final.returncode == 0, final.stderr
    report(units, review, hands, machine, [validated, asked, released, graded, final], tmp, questions, figures_done)


def review_figures(kit: Path) -> tuple[float, int, int]:
    """The figures ledger reviewed as the README has it: dates deleted, the rest confirmed, a `--counts`
    typed where the proposer found no unit. Returns (machine seconds, characters typed, figures)."""
    from reportkit.key import PLACEHOLDER_COUNTS

    seconds, typed = 0.0, 0
    figures = json.loads((kit / "data" / ARTICLE / "figures.json").read_text("utf-8"))["figures"]
    dates = [f["id"] for f in figures if f["kind"] == "date"]
    unnamed = [f for f in figures if f["kind"] != "date" and f["counts"] == PLACEHOLDER_COUNTS]
    as_proposed = [f["id"] for f in figures if f["kind"] != "date" and f not in unnamed]
    commands = [["figures", ARTICLE, "--delete", *dates]] if dates else []
    commands += [["figures", ARTICLE, "--confirm", *as_proposed]] if as_proposed else []
    commands += [["figures", ARTICLE, "--confirm", f["id"], "--counts", f"what {f['text']} counts"] for f in unnamed]
    for args in commands:
        took, done = run_cli(kit, args)
        assert done.returncode == 0, done.stderr
        seconds, typed = seconds + took, typed + len(" ".join(["python -m reportkit", *args])) + 1
    return seconds, typed, len(figures)


# Reading the generated questions: each prompt and its key answer read at READING_WPM words a
# minute, one decision (M) per question on whether to keep it; rewording is not modelled.
READING_WPM = 200


@dataclass
class QuestionReview:
    count: int
    words: int

    def seconds(self) -> float:
        return self.words * 60 / READING_WPM + self.count * M


def question_review(kit: Path) -> QuestionReview:
    """What the instructor reads after `questions`: every generated prompt and its key answer."""
    from reportkit.article import load_article
    from reportkit.checks import key_answer, load_questions
    from reportkit.questiongen import GENERATED_LESSONS, lesson_of

    article = load_article(ARTICLE, kit)
    asked = [q for q in load_questions(article).values() if lesson_of(q.id) in GENERATED_LESSONS]
    words = sum(len(q.prompt.split()) + len(str(key_answer(q, article)).split()) for q in asked)
    return QuestionReview(len(asked), words)


def report(units: list[Unit], review: Review, hands: Hands, machine: dict[str, float],
           outputs: list[subprocess.CompletedProcess], tmp: Path, questions: QuestionReview,
           figures_done: tuple[float, int, int]) -> None:
    n, fixes = len(units), len(review.fixed)
    trips = review.round_trips
    print(f"Bring your own article: {ARTICLE} ({FIXTURE.relative_to(REPO)}), in a temporary kit at {tmp}")
    print("\nMACHINE TIME (measured wall clock, this run, on a shared machine)")
    for name, what in (("new", "python -m reportkit new …"),
                       ("lab", "JupyterLab start (server ready)"),
                       ("open", "open the notebook, run the cell, widget shown"),
                       ("review", f"review of all {n} units by keyboard (incl. this script's checks)"),
                       ("validate", "python -m reportkit validate …"),
                       ("questions", "python -m reportkit questions … (generate the questions)"),
                       ("release", "python -m reportkit release --article … --out …"),
                       ("graded", "python -m reportkit release --article … --out … --graded"),
                       ("transfer", "python -m reportkit release --article … --out … --transfer")):
        print(f"  {what:<68} {machine[name]:7.1f} s")
    print(f"  per confirm, key pressed -> key.json saved and next sentence shown: {statistics.mean(trips):.2f} s mean, "
          f"{statistics.median(trips):.2f} s median, {max(trips):.2f} s max")
    for done in outputs:
        for line in done.stdout.strip().splitlines():
            print(f"    | {line}")

    print("\nTHE REVIEW (counted)")
    print(f"  units: {n}; the baseline's proposal was right for {n - fixes}, needed a fix for {fixes} "
          f"({fixes / n:.0%}): {', '.join(review.fixed)}")
    print(f"  refused confirms that needed the typed fallback: {len(review.fallbacks)}"
          + "".join(f"\n    {f}" for f in review.fallbacks))
    mismatches = "".join(f"\n    {m}" for m in review.suggestion_mismatch)
    print(f"  suggestion followed the new label on every fix: {'NO' if mismatches else 'yes'}{mismatches}")
    differs = review.rule_differs
    print(f"  the accepted suggested rule is among the blind labeller's rules for {n - len(differs)} of {n} units; "
          "not for:")
    key = key_entries(tmp / "kit")
    by_id = {u.sid: u for u in units}
    for sid in differs:
        print(f"    {sid} {key[sid]['label']:<9} {key[sid]['rules']} {key[sid]['rationale'][:80]!r} "
              f"(labeller: {by_id[sid].target_rules})")
    print(f"  keystrokes {hands.keystrokes} (a chord such as Ctrl+Enter counts each key), clicks {hands.clicks}, "
          f"typed characters {hands.typed}, keyboard<->mouse moves {hands.homings}, decisions {hands.decisions}")
    print(f"  key.json: all {n} units reviewed with the target label (checked); validate exit 0")
    print(f"  screenshot: {SHOT.relative_to(REPO)}")

    widget = hands.seconds()
    fixed = sum(s for s, _ in ALLOWANCES)
    total = fixed + widget
    reading = questions.seconds()
    # The ledger: reading the table, one decision a figure, and typing the commands as the README gives them.
    ledger = figures_done[1] * K + M * figures_done[2]
    print(f"\nINSTRUCTOR'S HANDS-ON TIME (a MODEL ESTIMATE, not measured): Keystroke-Level Model, K {K} s a keystroke "
          f"or character, P {P} s a click, M {M} s a decision (one per unit, one more per fix or typed rationale), "
          f"H {H} s a move between keyboard and mouse; reading the article is not counted")
    print(f"  review in the widget: {hands.keystrokes + hands.typed} K, {hands.clicks} P, {hands.decisions} M, "
          f"{hands.homings} H = {widget:6.1f} s")
    print("  fixed allowances for steps that cannot be simulated (assumed, not measured):")
    for seconds, what in ALLOWANCES:
        print(f"    {seconds:4d} s  {what}")
    print(f"  total: {total:.0f} s = {total / 60:.1f} min; against the 10-minute target: {total / TARGET_S:.2f} "
          f"(total / {TARGET_S:.0f} s)")
    print(f"  EXTRA for the whole sequence: the figures ledger, {figures_done[2]} figures, one decision each and "
          f"the README's `figures` commands typed ({figures_done[1]} K; the commands took {machine['figures']:.1f} s "
          f"measured): {ledger:.0f} s; reading the {questions.count} generated questions and their key answers "
          f"({questions.words} words at {READING_WPM} words a minute, one decision each): {reading:.0f} s. "
          f"Together {(ledger + reading) / 60:.1f} min; the whole sequence {(total + ledger + reading) / 60:.1f} min, "
          f"ratio {(total + ledger + reading) / TARGET_S:.2f} against the 10-minute target")
    waits = (machine["new"] + sum(trips) + machine["validate"] + machine["questions"] + machine["release"]
             + machine["graded"])
    print(f"  with the measured machine waits the instructor sits through added ({waits:.0f} s: new, every "
          f"confirm's round trip, validate, releases; not JupyterLab's start): {(total + waits) / TARGET_S:.2f}")
    # 40 units, same fix rate: the per-unit part of the review scales, the first click and allowances do not.
    first_click = P + 2 * H
    scaled = fixed + first_click + (widget - first_click) * EXTRAPOLATE_TO / n
    print(f"  EXTRAPOLATED to a {EXTRAPOLATE_TO}-unit article with the same fix rate ({fixes / n * EXTRAPOLATE_TO:.1f} "
          f"fixes), same keys per unit: {scaled:.0f} s = {scaled / 60:.1f} min, ratio {scaled / TARGET_S:.2f}")
    slow = total + (10 - M) * hands.decisions
    print(f"  sensitivity (model): if each decision took 10 s instead of {M} s (reading the suggested rationale "
          f"and rules): {slow:.0f} s, ratio {slow / TARGET_S:.2f}")
    # Rewriting a rationale: a decision, r, Ctrl+A, the labeller's own rationale typed, a click on a rule,
    # back to the keyboard, Ctrl+Enter.
    rewrite = sum(M + K * (1 + 2 + len(by_id[sid].target_why) + 2) + P + 2 * H for sid in differs)
    print(f"  sensitivity (model): if the {len(differs)} units above got the labeller's rationale typed in "
          f"(mean {statistics.mean([len(by_id[s].target_why) for s in differs] or [0]):.0f} characters) and their "
          f"rule ticked: +{rewrite:.0f} s, total {total + rewrite:.0f} s, ratio {(total + rewrite) / TARGET_S:.2f}")


if __name__ == "__main__":
    main()
