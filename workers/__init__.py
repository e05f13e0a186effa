"""The lab engine: a toy world with known human preferences, a tiny base model, SFT and
reward models, experiments and a CLI. Runs without Django or a broker.

Importing ``workers`` is cheap (no torch); ``preload()`` imports the heavy libraries ahead
of a run (a worker process calls it once at start so a run's first progress comes fast).
"""

from workers.experiments import experiment_spec, list_experiments, run_experiment
from workers.runtime import Cancelled, LabInputError


def preload() -> None:
    """Import torch, transformers, TRL and the experiments, with one torch thread and
    transformers' logging quiet (``runtime.prepare_runtime``; idempotent)."""
    from workers.runtime import prepare_runtime

    prepare_runtime()
    import workers.experiments.alignment_tax  # noqa: F401
    import workers.experiments.class_reward_model  # noqa: F401
    import workers.experiments.dpo_vs_ppo  # noqa: F401
    import workers.experiments.pairwise_vs_absolute  # noqa: F401
    import workers.experiments.ppo_rlhf  # noqa: F401
    import workers.experiments.refusal_frontier  # noqa: F401
    import workers.experiments.reward_hacking  # noqa: F401
    import workers.experiments.sft_shift  # noqa: F401
    import workers.experiments.surface_vs_deep  # noqa: F401


__all__ = [
    "Cancelled",
    "LabInputError",
    "experiment_spec",
    "list_experiments",
    "preload",
    "run_experiment",
]
