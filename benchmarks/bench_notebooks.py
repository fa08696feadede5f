"""Execute every lesson and solution notebook in a fresh kernel and time it.

    python benchmarks/bench_notebooks.py [--target SECONDS]

Each notebook runs with nbclient from its own folder on a copy (the committed files are not
touched). Printed per notebook: the kernel time (first cell sent to last reply) and the wall
time including kernel start-up; then the totals. Exit status 1 if the total kernel time is
over the target (default 60 s, the budget on a shared 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KIT = Path(__file__).resolve().parent.parent


def run(path: Path) -> tuple[float, float]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    with client.setup_kernel():
        ready = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        finished = time.perf_counter()
    return finished - ready, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=60.0, help="total kernel seconds allowed (default 60)")
    args = parser.parse_args(argv)
    os.environ.setdefault("REPORTKIT_HOME", str(KIT))
    total_kernel = total_wall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in ("notebooks", "solutions"):
            copy = Path(tmp) / folder
            copy.mkdir()
            for source in sorted((KIT / folder).glob("[0-9][0-9]-*.ipynb")):
                shutil.copy2(source, copy / source.name)
                kernel, wall = run(copy / source.name)
                total_kernel += kernel
                total_wall += wall
                print(f"{kernel:6.2f} s kernel  {wall:6.2f} s wall  {folder}/{source.name}", flush=True)
    print(f"{total_kernel:6.2f} s kernel  {total_wall:6.2f} s wall  total (target: {args.target:g} s kernel)")
    return 0 if total_kernel <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
