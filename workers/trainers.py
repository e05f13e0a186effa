"""What every Hugging Face trainer in the lab engine is given: the shared arguments, a
callback that feeds the lab's progress report with the loss, and no console printing.
Used by ``sft.py`` (TRL ``SFTTrainer``), ``reward_model.py`` (TRL ``RewardTrainer``,
``transformers.Trainer``) and ``experiments/dpo_vs_ppo.py`` (TRL ``DPOTrainer``)."""

from __future__ import annotations

from typing import Any

from workers.runtime import Progress, use_bf16


def trainer_args(cls, out: str, *, steps: int, lr: float, batch_size: int, seed: int, **extra: Any):
    """``cls`` (``TrainingArguments`` or a TRL config) for ``steps`` optimiser steps in the
    temporary directory ``out``: a linear schedule, a loss logged every step, nothing saved
    or reported elsewhere, no progress bars, bf16 on CUDA only, no gradient checkpointing
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
        use_cpu=not use_bf16(),
    )
    args.update(extra)
    return cls(**args)


def loss_reporter(progress: Progress, offset: int, name: str, losses: list[tuple[int, float]]):
    """A trainer callback: every logged loss is kept in ``losses`` and reported as
    ``<name>_loss`` at step ``offset + global_step``; every step ticks the progress."""
    from transformers import TrainerCallback

    class ReportCallback(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
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
