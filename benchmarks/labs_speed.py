"""Lab speed benchmark: runs each experiment at its defaults and prints wall time, time to
first progress, steps/s, tokens/s and the fraction of this machine's measured matmul peak
that training reached.

    python benchmarks/labs_speed.py [--experiments sft,pairwise_vs_absolute] [--json out.json]
    python benchmarks/labs_speed.py --experiments all   # every experiment, RL ones included

The RL experiments (reward_hacking, ppo_rlhf, surface_vs_deep, dpo_vs_ppo) report steps/s
as RL steps per second of their main run; tokens/s and the peak fraction are not measured
for them ("-"). ``--rl-steps N`` also times N steps of PPO and of RLOO on the same SFT model,
reward model and batch (32 prompts x 2 samples, up to 40 new tokens) and prints seconds per
step side by side.

Uses the default base model (built first if missing; the build is timed separately). The
library import is timed once and reported apart: a worker process pays it at start, not per
run. FLOPs are estimated as 6 x parameters x tokens for training (forward + backward) and
2 x parameters x tokens for forward-only feature extraction; attention is left out, so the
fractions are slight underestimates. Not a test: it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def matmul_peak_gflops(n: int = 512, seconds: float = 1.5) -> float:
    """Best single-thread float32 matmul rate over a short burst (GFLOP/s)."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = 0.0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        for _ in range(10):
            a @ b
        best = max(best, 10 * 2 * n**3 / (time.perf_counter() - t) / 1e9)
    return best


RL_EXPERIMENTS = {"reward_hacking", "ppo_rlhf", "surface_vs_deep", "dpo_vs_ppo"}


def rl_step_comparison(steps: int) -> dict[str, float]:
    """Seconds per step of PPO and RLOO on the same SFT model, reward model and batch."""
    from workers import rl
    from workers.experiments import rlhf_setup as rs

    sft, tok, base, _, _, _ = rs.sft_policy(lambda *a: None, 0, 0)
    rm_model, rm_tok, _ = rs.proxy_reward_model(base, pairs=200, length_bias=0.0, seed=0)
    reward_fn = rl.reward_model_fn(rm_model, rm_tok)
    reference = rl.frozen_copy(sft)
    out = {}
    for algorithm in ("ppo", "rloo"):
        cfg = rl.RLConfig(algorithm=algorithm, steps=steps, kl_coef=0.1, seed=0)
        run = rl.train_policy(
            rs.trainable_copy(sft), reference, tok, reward_fn, rs.rl_prompts(), cfg
        )
        out[algorithm] = run["seconds_per_step"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", default="sft,pairwise_vs_absolute")
    ap.add_argument("--json", help="also write the measurements here")
    ap.add_argument("--rl-steps", type=int, default=10, help="PPO vs RLOO steps (0: skip)")
    args = ap.parse_args()

    t = time.perf_counter()
    import workers
    from workers.base_model import build_base_model, build_record, is_built, preset_config

    workers.preload()
    import_s = time.perf_counter() - t
    import torch

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, import {import_s:.1f} s")
    peak = matmul_peak_gflops()
    print(f"matmul peak (fp32, 512x512, 1 thread): {peak:.1f} GFLOP/s")

    rows = []
    built_now = not is_built()
    t = time.perf_counter()
    path = build_base_model(report=None)
    record = build_record(path)
    pre_flops = 6 * record["parameters"] * record["tokens_per_second"] / 1e9
    rows.append(
        {
            "run": "build-base" + ("" if built_now else " (cached record)"),
            "wall_s": round(time.perf_counter() - t, 2) if built_now else record["total_seconds"],
            "first_progress_s": None,
            "steps_per_s": round(preset_config().steps / record["train_seconds"], 1),
            "tokens_per_s": record["tokens_per_second"],
            "peak_fraction": round(pre_flops / peak, 4),
        }
    )
    names = args.experiments.split(",")
    if names == ["all"]:
        names = [e["name"] for e in workers.list_experiments() if e["name"] != "class_reward_model"]
    for name in names:
        first: list[float] = []
        t0 = time.perf_counter()

        def report(step, total, metrics, samples, t0=t0, first=first):
            if not first:
                first.append(time.perf_counter() - t0)

        result = workers.run_experiment(name, {}, report)
        wall = time.perf_counter() - t0
        tm = result["timings"]
        n_params = tm["model_parameters"]
        if name in RL_EXPERIMENTS:
            steps_s = round(1 / tm["rl_seconds_per_step"], 2)
            tokens_s, frac = "-", None
            note = f"{tm['trainer']}; {tm['rl_seconds_per_step']:.3f} s per RL step"
        elif name == "sft":
            steps_s, tokens_s = tm["steps_per_s"], tm["tokens_per_s"]
            frac = 6 * n_params * tokens_s / 1e9 / peak
            note = "SFT training (TRL SFTTrainer)"
        elif "fits_per_s" in tm:
            steps_s = tm["fits_per_s"]
            tokens_s = round(tm["feature_tokens"] / tm["features_s"], 1)
            frac = 2 * n_params * tokens_s / 1e9 / peak
            note = (
                f"{tm['reward_models']} reward models; steps/s = fits/s; tokens/s, peak: features"
            )
        else:  # refusal_frontier: probe fits plus the scenario's reward models
            steps_s, tokens_s, frac = "-", "-", None
            note = f"{tm.get('reward_models', '?')} reward models ({tm['trainer']})"
        rows.append(
            {
                "run": name,
                "wall_s": round(wall, 2),
                "first_progress_s": round(first[0], 3) if first else None,
                "steps_per_s": steps_s,
                "tokens_per_s": tokens_s,
                "peak_fraction": None if frac is None else round(frac, 4),
                "note": note,
                "headline": result["headline"],
            }
        )
        print(f"{name}: {wall:.1f} s; {note}", flush=True)
    print(f"{'run':<34}{'wall s':>8}{'first s':>9}{'steps/s':>9}{'tokens/s':>10}{'peak':>8}")
    for r in rows:
        first_s = "-" if r["first_progress_s"] is None else f"{r['first_progress_s']:.2f}"
        peak_s = "-" if r["peak_fraction"] is None else f"{100 * r['peak_fraction']:.1f}%"
        print(
            f"{r['run']:<34}{r['wall_s']:>8.1f}{first_s:>9}{r['steps_per_s']:>9}"
            f"{r['tokens_per_s']:>10}{peak_s:>8}"
        )
        if r.get("note"):
            print(f"    {r['note']}")
    rl_compare = rl_step_comparison(args.rl_steps) if args.rl_steps else {}
    if rl_compare:
        print(
            f"PPO {rl_compare['ppo']:.3f} s/step vs RLOO {rl_compare['rloo']:.3f} s/step "
            f"({args.rl_steps} steps each, same SFT model, reward model and batch: 32 prompts x "
            f"2 samples, up to 40 new tokens; PPO: 2 epochs x 2 minibatches)"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "import_s": import_s,
                    "matmul_peak_gflops": peak,
                    "runs": rows,
                    "rl_seconds_per_step": rl_compare,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
