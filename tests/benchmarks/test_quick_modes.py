"""Every web benchmark still runs: its --quick mode (small sizes, seconds, no server) in a
subprocess, as a person would run it. Figures are printed, never asserted: the machines
are shared and noisy; a benchmark that crashes or stops printing its figure fails here."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "figure"),
    [
        ("flashcards_due_queue.py", "p95"),
        ("class_dashboard.py", "dashboard:"),
        ("labs_web.py", "requests/s"),
        ("web_load.py", "ratio: lesson page / bare view"),
        ("gradebook_export.py", "export responses.xlsx"),
        ("labs_gpu.py", "measured bf16 matmul rate"),
    ],
)
def test_the_benchmark_runs_in_its_quick_mode_and_prints_its_figure(script, figure, tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert figure in result.stdout, result.stdout[-2000:]
