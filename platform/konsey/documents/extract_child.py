"""``python -m konsey.documents.extract_child MEDIA_TYPE PATH``: one file's text.

The extraction child process (started by ``sandbox.run``, which sets its
CPU-time and memory limits). The budget comes as JSON in the environment
variable ``KONSEY_EXTRACT_BUDGET``. The text goes to stdout as it is found
(so a limit that kills this process keeps what came before it); the exit
status says how it ended: 0 all of it, 3 a budget was spent, 4 unreadable.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EXIT_DONE, EXIT_LIMITED, EXIT_UNREADABLE = 0, 3, 4


PEAK_PREFIX = "konsey-peak-rss-kb:"


def report_peak_memory() -> None:
    """This process's own peak resident memory since exec (Linux's VmHWM), on
    stderr: the rusage the parent gets also counts the pages it shared with
    the forking worker before exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    print(f"{PEAK_PREFIX}{line.split()[1]}", file=sys.stderr)
    except OSError:
        pass


def main(argv: list[str]) -> int:
    from konsey.documents.extract import Budget, BudgetSpent, normalise, pieces

    media_type, path = argv
    budget = Budget(**json.loads(os.environ.get("KONSEY_EXTRACT_BUDGET", "{}")))
    out = sys.stdout
    left = budget.max_chars
    try:
        for piece in pieces(Path(path), media_type, budget):
            text = normalise(piece[: left * 2])[:left]
            if text:
                out.write(text + "\n")
                out.flush()
                left -= len(text) + 1
            if left <= 0:
                return EXIT_LIMITED
    except BudgetSpent as exc:
        print(f"budget spent: {exc}", file=sys.stderr)
        return EXIT_LIMITED
    except MemoryError:
        print("memory limit", file=sys.stderr)
        return EXIT_LIMITED
    except Exception as exc:  # a damaged file: no (more) text, the upload stands
        print(f"unreadable: {type(exc).__name__}: {exc}"[:500], file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_DONE


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    code = main(sys.argv[1:])
    report_peak_memory()
    sys.exit(code)
