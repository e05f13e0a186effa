"""Labs on a GPU: every experiment at its defaults on CUDA, with the default base model and
with the real-size one (``gpt2-small``), each run's wall time, time to first progress,
steps/s, tokens/s and MFU against this chip's measured bf16 matrix rate.

    python benchmarks/labs_gpu.py                              # both presets, every experiment
    python benchmarks/labs_gpu.py --presets default --experiments sft,ppo_rlhf --json out.json
    python benchmarks/labs_gpu.py --quick                      # tiny sizes, seconds

The matrix rate is the best of timed bf16 matmuls (8192 x 8192 on CUDA). MFU counts
6 x parameters x tokens for training and 2 x parameters x tokens for forward-only feature
extraction (attention left out: a slight underestimate); the RL experiments report RL steps
per second and no tokens/s or MFU ("-"). The base-model build of each preset is timed too
(built on first use, as a worker would).

Exit status: 0 when every run finished with finite metrics; 1 when a run crashed, diverged or
reported a NaN or infinite metric (each is listed); 0 with a message when no GPU is visible
(nothing is measured). ``--quick`` on a machine without a GPU runs the same code path on the
CPU (small preset, bf16 autocast forced with ``LABS_AUTOCAST=bf16``, a few experiments at
tiny sizes, one thread) so the script cannot rot; it says so, and its figures are not GPU
figures. Not a test: it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RL_EXPERIMENTS = {"reward_hacking", "ppo_rlhf", "surface_vs_deep", "dpo_vs_ppo"}
SKIPPED = {"class_reward_model"}  # needs a class's labels; pairwise_vs_absolute covers it
# --quick: the same path at tiny sizes (one supervised, one reward-model, one RL experiment)
QUICK = {
    "sft": {"steps": 3, "samples_per_prompt": 1, "max_new_tokens": 8},
    "pairwise_vs_absolute": {"labels": 20, "seeds": 1, "responses_per_prompt": 2},
    "ppo_rlhf": {
        "steps": 5,
        "prompts_per_step": 4,
        "samples_per_prompt": 2,
        "max_new_tokens": 8,
        "pairs": 100,
        "ppo_epochs": 1,
    },
}


def bf16_matmul_tflops(dev: str, n: int, seconds: float = 2.0) -> float:
    """Best bf16 matmul rate of ``n x n`` matrices on ``dev`` over a short burst (TFLOP/s)."""
    import torch

    a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)

    def sync():
        if dev == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        a @ b
    sync()
    best, reps = 0.0, 20 if dev == "cuda" else 3
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        for _ in range(reps):
            a @ b
        sync()
        best = max(best, reps * 2 * n**3 / (time.perf_counter() - t) / 1e12)
    return best


class Watch:
    """A run's ``report``: the time of the first call and the first non-finite metric."""

    def __init__(self):
        self.t0 = time.perf_counter()
        self.first: float | None = None
        self.bad: str | None = None

    def __call__(self, step, total, metrics, samples):
        if self.first is None:
            self.first = time.perf_counter() - self.t0
        for name, value in metrics.items():
            if self.bad is None and not math.isfinite(float(value)):
                self.bad = f"metric {name} = {value} at step {step}"


def figures(name: str, result: dict, peak_tflops: float) -> tuple:
    """(steps/s, tokens/s, MFU or None, note) from an experiment's timings."""
    tm = result.get("timings", {})
    n_params = tm.get("model_parameters", 0)
    if name in RL_EXPERIMENTS and "rl_seconds_per_step" in tm:
        per_step = tm["rl_seconds_per_step"]
        return round(1 / per_step, 2), "-", None, f"{per_step:.3f} s per RL step"
    if name == "sft" and "tokens_per_s" in tm:
        mfu = 6 * n_params * tm["tokens_per_s"] / 1e12 / peak_tflops
        return tm["steps_per_s"], tm["tokens_per_s"], mfu, "SFT training"
    if "fits_per_s" in tm and tm.get("features_s"):
        tokens = round(tm["feature_tokens"] / tm["features_s"], 1)
        mfu = 2 * n_params * tokens / 1e12 / peak_tflops
        return tm["fits_per_s"], tokens, mfu, "reward models: steps/s = fits/s; tokens: features"
    return "-", "-", None, f"{tm.get('reward_models', '?')} reward models"


def build_row(preset: str, peak_tflops: float) -> dict:
    from workers.base_model import build_base_model, build_record, is_built, preset_config

    built_now = not is_built()
    t = time.perf_counter()
    record = build_record(build_base_model(report=None))
    wall = time.perf_counter() - t if built_now else record["total_seconds"]
    tokens = record["tokens_per_second"]
    return {
        "preset": preset,
        "run": "build-base" + ("" if built_now else " (cached record)"),
        "wall_s": round(wall, 2),
        "first_progress_s": None,
        "steps_per_s": round(preset_config().steps / record["train_seconds"], 1),
        "tokens_per_s": tokens,
        "mfu": 6 * record["parameters"] * tokens / 1e12 / peak_tflops,
        "note": f"{record['parameters'] / 1e6:.1f}M parameters, on {record.get('device', 'cpu')}",
        "failure": None,
    }


def experiment_row(preset: str, name: str, params: dict, peak_tflops: float) -> dict:
    import torch

    import workers

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    watch = Watch()
    row = {"preset": preset, "run": name, "first_progress_s": None, "failure": None}
    try:
        result = workers.run_experiment(name, params, watch)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding: listed, the rest go on
        row.update(wall_s=round(time.perf_counter() - watch.t0, 2), steps_per_s="-")
        row.update(tokens_per_s="-", mfu=None, note="")
        first = str(exc).splitlines()[0] if str(exc) else ""
        row["failure"] = f"{type(exc).__name__}: {first}"
        traceback.print_exc()
        return row
    steps_s, tokens_s, mfu, note = figures(name, result, peak_tflops)
    if torch.cuda.is_available():
        note += f"; peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB"
    row.update(
        wall_s=round(time.perf_counter() - watch.t0, 2),
        first_progress_s=None if watch.first is None else round(watch.first, 3),
        steps_per_s=steps_s,
        tokens_per_s=tokens_s,
        mfu=mfu,
        note=note,
        failure=watch.bad,
        headline=result.get("headline", ""),
    )
    return row


def print_table(rows: list[dict]) -> None:
    print(
        f"{'preset':<12}{'run':<28}{'wall s':>8}{'first s':>9}{'steps/s':>9}{'tokens/s':>11}"
        f"{'MFU':>8}"
    )
    for r in rows:
        first = "-" if r["first_progress_s"] is None else f"{r['first_progress_s']:.2f}"
        mfu = "-" if r["mfu"] is None else f"{100 * r['mfu']:.1f}%"
        print(
            f"{r['preset']:<12}{r['run']:<28}{r['wall_s']:>8.1f}{first:>9}"
            f"{str(r['steps_per_s']):>9}{str(r['tokens_per_s']):>11}{mfu:>8}"
        )
        if r.get("note"):
            print(f"    {r['note']}")
        if r["failure"]:
            print(f"    FAILED: {r['failure']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", default="default,gpt2-small")
    ap.add_argument("--experiments", default="all")
    ap.add_argument("--quick", action="store_true", help="tiny sizes; on the CPU without a GPU")
    ap.add_argument("--json", help="also write the measurements here")
    args = ap.parse_args()

    import torch

    on_gpu = torch.cuda.is_available()
    if not on_gpu and not args.quick:
        print("no GPU visible (torch.cuda.is_available() is False): labs_gpu measures CUDA runs,")
        print("so nothing was measured. Run it on a GPU worker, or --quick for a CPU smoke run.")
        return 0
    presets = args.presets.split(",")
    if args.quick:
        os.environ.setdefault("LABS_MODEL_DIR", str(ROOT / "var" / "test-models"))
        if not on_gpu:
            print("--quick without a GPU: the same code path on the CPU at tiny sizes, small")
            print("preset, bf16 autocast forced (LABS_AUTOCAST=bf16); these are NOT GPU figures.")
            os.environ["LABS_AUTOCAST"] = "bf16"
            presets = ["small"]

    import workers

    workers.preload()
    dev = "cuda" if on_gpu else "cpu"
    name_of = torch.cuda.get_device_name(0) if on_gpu else "CPU, 1 thread"
    peak = bf16_matmul_tflops(dev, 8192 if on_gpu else 512, seconds=2.0 if on_gpu else 1.0)
    print(f"device: {name_of}; torch {torch.__version__}")
    print(f"measured bf16 matmul rate: {peak:.1f} TFLOP/s", flush=True)

    if args.experiments == "all":
        names = [e["name"] for e in workers.list_experiments() if e["name"] not in SKIPPED]
    else:
        names = args.experiments.split(",")
    if args.quick:
        names = [n for n in names if n in QUICK] or list(QUICK)
    rows = []
    for preset in presets:
        os.environ["LABS_BASE_PRESET"] = preset
        print(f"== preset {preset}", flush=True)
        try:
            rows.append(build_row(preset, peak))
        except Exception as exc:  # noqa: BLE001 - no base model: this preset's runs are moot
            rows.append(
                {
                    "preset": preset,
                    "run": "build-base",
                    "wall_s": 0.0,
                    "first_progress_s": None,
                    "steps_per_s": "-",
                    "tokens_per_s": "-",
                    "mfu": None,
                    "note": "",
                    "failure": f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                }
            )
            continue
        for name in names:
            params = QUICK.get(name, {}) if args.quick else {}
            row = experiment_row(preset, name, params, peak)
            rows.append(row)
            print(f"{preset} {name}: {row['wall_s']:.1f} s", flush=True)
    print_table(rows)
    failures = [r for r in rows if r["failure"]]
    if args.json:
        Path(args.json).write_text(
            json.dumps({"device": name_of, "bf16_tflops": peak, "runs": rows}, indent=1)
        )
    if failures:
        print(
            f"{len(failures)} run(s) failed: "
            + "; ".join(f"{r['preset']} {r['run']}: {r['failure']}" for r in failures)
        )
        return 1
    print(f"all {len(rows)} runs finished with finite metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
