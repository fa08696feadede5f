"""Shards: ``grade SUBMISSIONS --out PART --shard K/N`` grades the K-th of N slices of the class.

A learner's slice comes from a hash of the normalised learner id, not from its place in a list:
adding or removing a learner never moves anyone else, so a shard re-run after a late hand-in
grades the same people. Engines that run many jobs (a GitHub Actions matrix, a Slurm array,
Kubernetes indexed Jobs) run one shard each; ``merge`` puts the parts together.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from reportkit.grading.model import normalise_id

_SHAPE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
T = TypeVar("T")


class ShardError(ValueError):
    """A --shard that is not K/N with 1 <= K <= N."""


@dataclass(frozen=True)
class Shard:
    k: int  # 1-based
    n: int

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def holds(self, learner: str) -> bool:
        return shard_of(learner, self.n) == self.k


def shard_of(learner: str, n: int) -> int:
    """The shard (1..n) a learner belongs to: sha256 of the normalised id, so stable across machines."""
    digest = hashlib.sha256(normalise_id(learner).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def parse_shard(text: str) -> Shard:
    """"2/3" -> Shard(2, 3)."""
    found = _SHAPE.fullmatch(text)
    if not found:
        raise ShardError(f"--shard {text!r}: expected K/N, such as 2/3 (the second of three slices)")
    k, n = int(found[1]), int(found[2])
    if not 1 <= k <= n:
        raise ShardError(f"--shard {text}: K must be between 1 and N ({n})")
    return Shard(k, n)


def from_slurm(env: Mapping[str, str] | None = None) -> Shard:
    """The shard of this Slurm array task (``sbatch --array=1-N`` or ``0-(N-1)``: any start works)."""
    env = os.environ if env is None else env
    try:
        task, count = int(env["SLURM_ARRAY_TASK_ID"]), int(env["SLURM_ARRAY_TASK_COUNT"])
        first = int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
    except (KeyError, ValueError) as error:
        raise ShardError(f"not a Slurm array task ({error}): submit with sbatch --array") from error
    return parse_shard(f"{task - first + 1}/{count}")


def select(items: Sequence[T], shard: Shard, learner_of: Callable[[T], str]) -> list[T]:
    """The items (hand-ins) of learners in ``shard``, in their order."""
    return [item for item in items if shard.holds(learner_of(item))]


def missing_shards(found: Sequence[tuple[int, int] | None]) -> str | None:
    """Why a set of parts is not one whole class (None when it is): every K of one N exactly once."""
    if any(part is None for part in found):
        return "a part is a whole class (graded without --shard); merge only parts of one sharded run"
    sizes = {n for _, n in found}  # type: ignore[misc]
    if len(sizes) != 1:
        return f"the parts come from different splits ({', '.join(f'N={n}' for n in sorted(sizes))})"
    n = sizes.pop()
    ks = [k for k, _ in found]  # type: ignore[misc]
    twice = sorted({k for k in ks if ks.count(k) > 1})
    absent = sorted(set(range(1, n + 1)) - set(ks))
    problems = ([f"shard {', '.join(map(str, twice))} given twice"] if twice else []) + (
        [f"shard {', '.join(f'{k}/{n}' for k in absent)} missing"] if absent else [])
    return "; ".join(problems) or None
