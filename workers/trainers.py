"""What every Hugging Face trainer in the lab engine is given: the shared arguments, a
callback that feeds the lab's progress report with the loss, and no console printing.
Used by ``sft.py`` (TRL ``SFTTrainer``), ``reward_model.py`` (TRL ``RewardTrainer``,
``transformers.Trainer``) and ``experiments/dpo_vs_ppo.py`` (TRL ``DPOTrainer``)."""

from __future__ import annotations

import math
from typing import Any

from workers.runtime import Progress, TrainingDiverged, device, use_bf16


def trainer_args(cls, out: str, *, steps: int, lr: float, batch_size: int, seed: int, **extra: Any):
    """``cls`` (``TrainingArguments`` or a TRL config) for ``steps`` optimiser steps in the
    temporary directory ``out``: a linear schedule, a loss logged every step, nothing saved
    or reported elsewhere, no progress bars, bf16 autocast as ``use_bf16()`` says (CUDA; the
    CPU with ``LABS_AUTOCAST=bf16``) with float32 weights, no gradient checkpointing
    (TRL defaults to it; a waste on tiny models), data loading in the process, and
    ``seed`` for both the model and the data order. ``extra`` adds or overrides arguments."""
    args: dict[str, Any] = dict(
        output_dir=out,
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        learning_rate=lr,
        lr_scheduler_type="linear",
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        bf16=use_bf16(),
        gradient_checkpointing=False,
        activation_checkpointing=False,
        dataloader_num_workers=0,
        seed=seed,
        data_seed=seed,
        use_cpu=device() == "cpu",
    )
    args.update(extra)
    return cls(**args)


# Whose loss a ``loss_reporter`` name is, as a divergence message says it.
LOSS_OWNERS = {
    "sft": "SFT",
    "pairwise": "reward model's pairwise",
    "ratings": "reward model's ratings",
}


def check_logs(logs: dict | None, step: int, name: str) -> None:
    """Raise ``TrainingDiverged`` at ``step`` when a trainer's logged loss or gradient norm
    (logged every step: ``trainer_args`` sets ``logging_steps=1``) is NaN or infinite."""
    for key, what in (("loss", "loss"), ("grad_norm", "gradient norm")):
        value = (logs or {}).get(key)
        if value is not None and not math.isfinite(float(value)):
            shown = "nan" if value != value else ("inf" if value > 0 else "-inf")
            raise TrainingDiverged(step, f"the {name} {what} is {shown}")


def divergence_guard(offset: int, name: str):
    """A trainer callback that stops training with ``TrainingDiverged`` (at the run's step
    ``offset + global_step``) on the first non-finite loss or gradient norm; ``name`` says
    whose (``DPO``, ``SFT``, ``reward model``)."""
    from transformers import TrainerCallback

    class DivergenceGuard(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            check_logs(logs, offset + state.global_step, name)

    return DivergenceGuard()


def loss_reporter(progress: Progress, offset: int, name: str, losses: list[tuple[int, float]]):
    """A trainer callback: every logged loss is kept in ``losses`` and reported as
    ``<name>_loss`` at step ``offset + global_step``; every step ticks the progress. A
    non-finite loss or gradient norm stops training (``check_logs``)."""
    from transformers import TrainerCallback

    class ReportCallback(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            check_logs(logs, offset + state.global_step, LOSS_OWNERS.get(name, name))
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))
                progress.tick(offset + state.global_step, {f"{name}_loss": float(logs["loss"])})

        def on_step_end(self, args, state, control, **kwargs):
            progress.tick(offset + state.global_step)

    return ReportCallback()


def quiet(trainer):
    """``trainer`` without its console printer (the lab reports through its callback)."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)
    return trainer
