"""Run one file's extraction in a child process with hard limits.

The child (``extract_child``) gets an address-space limit (RLIMIT_AS) and a
CPU-time limit (RLIMIT_CPU, enforced by the kernel), a wall-clock timeout
after which it is killed, and its output is read only up to a cap. Its
resource use is measured per child (``os.wait4``), so the figures belong to
that one process and nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from konsey.documents.extract import Budget
from konsey.documents.extract_child import EXIT_DONE, EXIT_LIMITED

DONE, LIMITED, FAILED = "done", "limited", "failed"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10
    memory_mb: int = 256
    wall_seconds: int = 30
    budget: Budget = dataclasses.field(default_factory=Budget)

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            cpu_seconds=config["EXTRACT_CPU_SECONDS"],
            memory_mb=config["EXTRACT_MEMORY_MB"],
            wall_seconds=config["EXTRACT_WALL_SECONDS"],
            budget=Budget(
                max_chars=config["EXTRACT_MAX_CHARS"],
                max_content_bytes=config["EXTRACT_MAX_CONTENT_BYTES"],
                max_operators=config["EXTRACT_MAX_OPERATORS"],
                max_elements=config["EXTRACT_MAX_ELEMENTS"],
            ),
        )


@dataclass
class Outcome:
    status: str
    text: str
    cpu_seconds: float
    max_rss_mb: float
    wall_seconds: float
    detail: str = ""


def _limit(limits: Limits):
    def apply() -> None:
        cpu = max(1, limits.cpu_seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run(path: Path, media_type: str, limits: Limits) -> Outcome:
    """Extract the text of the file at ``path`` in a limited child process."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "KONSEY_EXTRACT_BUDGET": json.dumps(dataclasses.asdict(limits.budget)),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    max_output = limits.budget.max_chars * 4 + 4096
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [sys.executable, "-s", "-m", "konsey.documents.extract_child", media_type, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=_limit(limits),
            close_fds=True,
        )
        status, usage, killed = _wait(child, started + limits.wall_seconds)
        wall = time.monotonic() - started
        out.seek(0)
        raw = out.read(max_output)
        err.seek(0)
        detail = err.read(2000).decode("utf-8", "replace").strip()
    peak_kb, detail = _own_peak(detail)
    text = raw.decode("utf-8", "ignore")[: limits.budget.max_chars].strip()
    code = os.waitstatus_to_exitcode(status)
    if code == EXIT_DONE and not killed:
        result = DONE
    elif code == EXIT_LIMITED or killed or code in (-signal.SIGXCPU, -signal.SIGKILL):
        result = LIMITED
    else:
        result = FAILED
    if killed:
        detail = (detail + "\nkilled after the wall-clock timeout").strip()
    return Outcome(
        status=result,
        text=text,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        # The child's own peak when it could say it; else rusage (Linux:
        # kilobytes), which also counts pages shared with this process before exec.
        max_rss_mb=(peak_kb if peak_kb is not None else usage.ru_maxrss) / 1024,
        wall_seconds=wall,
        detail=detail[-1000:],
    )


def _own_peak(detail: str) -> tuple[int | None, str]:
    """The peak the child reported (``extract_child.report_peak_memory``), and
    the rest of what it said."""
    peak, lines = None, []
    for line in detail.splitlines():
        if line.startswith("konsey-peak-rss-kb:"):
            with contextlib.suppress(ValueError):
                peak = int(line.split(":", 1)[1])
        else:
            lines.append(line)
    return peak, "\n".join(lines)


def _wait(child: subprocess.Popen, deadline: float):
    """Reap the child (its own rusage), killing it at the deadline."""
    killed = False
    delay = 0.005
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return status, usage, killed
        if time.monotonic() >= deadline and not killed:
            child.kill()
            killed = True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
