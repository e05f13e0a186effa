"""Supervised fine-tuning with TRL's ``SFTTrainer`` on a pre-tokenised dataset (loss on the
response only), with a callback that feeds the lab's progress report."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from workers.generation import encode_prompt, encode_response
from workers.runtime import LabInputError, Progress
from workers.trainers import loss_reporter, quiet, trainer_args


def read_jsonl(path: str | Path, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a JSONL file that must carry string ``fields``; a malformed line is a
    one-line ``LabInputError`` naming the file and line."""
    p = Path(path)
    if not p.is_file():
        raise LabInputError(f"dataset {path} does not exist")
    rows = []
    with p.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabInputError(f"{path}:{n}: malformed JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise LabInputError(f"{path}:{n}: expected a JSON object")
            missing = [f for f in fields if not isinstance(row.get(f), str)]
            if missing:
                raise LabInputError(f"{path}:{n}: missing string field(s) {', '.join(missing)}")
            rows.append(row)
    if not rows:
        raise LabInputError(f"dataset {path} has no rows")
    return rows


def tokenise_sft(examples: list[dict[str, str]], tokenizer, max_length: int = 96) -> list[dict]:
    """``input_ids`` = prompt + completion + eos; ``labels`` = -100 on the prompt."""
    rows = []
    for ex in examples:
        p = encode_prompt(ex["prompt"], tokenizer)
        c = encode_response(ex["completion"], tokenizer)
        ids = (p + c)[:max_length]
        labels = ([-100] * len(p) + c)[:max_length]
        rows.append({"input_ids": ids, "labels": labels})
    return rows


def train_sft(
    model,
    tokenizer,
    examples: list[dict[str, str]],
    *,
    steps: int,
    lr: float = 1e-3,
    batch_size: int = 8,
    seed: int = 0,
    progress: Progress | None = None,
    step_offset: int = 0,
) -> dict[str, Any]:
    """Fine-tune ``model`` in place; returns the loss curve and timings."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    progress = progress or Progress(None, steps)
    t0 = time.perf_counter()
    data = Dataset.from_list(tokenise_sft(examples, tokenizer))
    losses: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="labs-sft-") as out:
        trainer = SFTTrainer(
            model=model,
            args=trainer_args(
                SFTConfig,
                out,
                steps=steps,
                lr=lr,
                batch_size=batch_size,
                seed=seed,
                warmup_steps=0,
                weight_decay=0.0,
                max_length=None,
                packing=False,
            ),
            train_dataset=data,
            processing_class=tokenizer,
            callbacks=[loss_reporter(progress, step_offset, "sft", losses)],
        )
        quiet(trainer)
        t_setup = time.perf_counter() - t0
        progress.tick(step_offset, force=True)
        t1 = time.perf_counter()
        trainer.train()
        t_train = time.perf_counter() - t1
    model.eval()
    n_tokens = sum(len(r["input_ids"]) for r in data) * steps * batch_size / max(1, len(data))
    return {
        "losses": losses,
        "setup_seconds": t_setup,
        "train_seconds": t_train,
        "steps": steps,
        "tokens": n_tokens,
    }
