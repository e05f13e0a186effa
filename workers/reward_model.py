"""Reward models: the base model's body plus a linear head read at ``<eos>``.

Two ways to train one:

- ``finetune``: the whole model, as ``AutoModelForSequenceClassification`` (num_labels=1).
  Pairs go through TRL's ``RewardTrainer`` (Bradley-Terry loss on pre-tokenised
  ``chosen_ids``/``rejected_ids``); ratings go through ``transformers.Trainer`` (mean
  squared error regression: TRL has no regression trainer).
- ``probe``: the base model's body frozen, its features computed once per run, and only a
  linear head trained by a project loop (full-batch Adam, milliseconds a fit). Experiment 2
  needs dozens of fits per run (label counts x rater miscalibration x seeds x two kinds),
  which fine-tuning cannot do inside a lab's 60 s budget (see ``workers/README.md``).
"""

from __future__ import annotations

import tempfile
import time

from workers.generation import encode_prompt, encode_response
from workers.runtime import Progress, autocast, device
from workers.trainers import loss_reporter, quiet, trainer_args


def sequence_ids(prompt: str, response: str, tokenizer, max_length: int = 96) -> list[int]:
    return (encode_prompt(prompt, tokenizer) + encode_response(response, tokenizer))[:max_length]


def load_reward_backbone(base: str, seed: int = 0):
    """The base model as a sequence classifier with one output, ready to train. The new
    score head's starting weights come from ``seed`` (not from whatever ran before in the
    process), so a run is reproducible."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    # local_files_only: the base model's directory, never a download from a hub
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)  # nosec B615
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "newly initialised score head" is expected here
    torch.manual_seed(seed)
    try:
        model = AutoModelForSequenceClassification.from_pretrained(  # nosec B615
            base,
            local_files_only=True,
            num_labels=1,
            dtype=torch.float32,  # bf16 autocast on CUDA via the trainer
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    model.config.pad_token_id = tokenizer.pad_token_id
    return model.to(device()), tokenizer


def train_pairwise(
    base: str,
    pairs: list[tuple[str, str, str]],
    *,
    steps: int,
    lr: float = 3e-4,
    batch_size: int = 16,
    seed: int = 0,
    progress: Progress | None = None,
    step_offset: int = 0,
):
    """Fine-tune a Bradley-Terry reward model on (prompt, chosen, rejected) with TRL's
    ``RewardTrainer``. Returns (model, tokenizer, info)."""
    from datasets import Dataset
    from trl import RewardConfig, RewardTrainer

    progress = progress or Progress(None, steps)
    t0 = time.perf_counter()
    model, tokenizer = load_reward_backbone(base, seed)
    progress.tick()
    rows = [
        {
            "chosen_ids": sequence_ids(p, c, tokenizer),
            "rejected_ids": sequence_ids(p, r, tokenizer),
        }
        for p, c, r in pairs
    ]
    losses: list = []
    with tempfile.TemporaryDirectory(prefix="labs-rm-") as out:
        args = trainer_args(
            RewardConfig,
            out,
            steps=steps,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            max_length=None,
            center_rewards_coefficient=None,
        )
        trainer = RewardTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_list(rows),
            processing_class=tokenizer,
            callbacks=[loss_reporter(progress, step_offset, "pairwise", losses)],
        )
        quiet(trainer)
        progress.tick()
        setup = time.perf_counter() - t0
        t1 = time.perf_counter()
        trainer.train()
    model.eval()
    return (
        model,
        tokenizer,
        {"losses": losses, "setup_seconds": setup, "train_seconds": time.perf_counter() - t1},
    )


def train_ratings(
    base: str,
    rated: list[tuple[str, str, float]],
    *,
    steps: int,
    lr: float = 3e-4,
    batch_size: int = 16,
    seed: int = 0,
    progress: Progress | None = None,
    step_offset: int = 0,
):
    """Fine-tune a regression reward model on (prompt, response, rating) with
    ``transformers.Trainer`` (MSE on standardised ratings). Returns (model, tokenizer, info)."""
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    progress = progress or Progress(None, steps)
    t0 = time.perf_counter()
    model, tokenizer = load_reward_backbone(base, seed)
    progress.tick()
    model.config.problem_type = "regression"
    ys = [y for _, _, y in rated]
    mean = sum(ys) / len(ys)
    sd = (sum((y - mean) ** 2 for y in ys) / len(ys)) ** 0.5 or 1.0
    rows = [
        {"input_ids": sequence_ids(p, r, tokenizer), "labels": (y - mean) / sd} for p, r, y in rated
    ]
    for row in rows:
        row["attention_mask"] = [1] * len(row["input_ids"])
    losses: list = []
    with tempfile.TemporaryDirectory(prefix="labs-rm-") as out:
        trainer = Trainer(
            model=model,
            args=trainer_args(
                TrainingArguments, out, steps=steps, lr=lr, batch_size=batch_size, seed=seed
            ),
            train_dataset=Dataset.from_list(rows),
            data_collator=DataCollatorWithPadding(tokenizer),
            callbacks=[loss_reporter(progress, step_offset, "ratings", losses)],
        )
        quiet(trainer)
        progress.tick()
        setup = time.perf_counter() - t0
        t1 = time.perf_counter()
        trainer.train()
    model.eval()
    return (
        model,
        tokenizer,
        {"losses": losses, "setup_seconds": setup, "train_seconds": time.perf_counter() - t1},
    )


def score(
    model,
    tokenizer,
    pairs: list[tuple[str, str]],
    batch_size: int = 128,
    progress: Progress | None = None,
) -> list[float]:
    """Reward for each (prompt, response) from a sequence-classification reward model."""
    import torch

    dev = next(model.parameters()).device
    out: list[float] = []
    pad = tokenizer.pad_token_id
    for i in range(0, len(pairs), batch_size):
        seqs = [sequence_ids(p, r, tokenizer) for p, r in pairs[i : i + batch_size]]
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for j, s in enumerate(seqs):
            ids[j, : len(s)] = torch.tensor(s)
            mask[j, : len(s)] = 1
        with torch.no_grad(), autocast(dev.type):
            logits = model(input_ids=ids.to(dev), attention_mask=mask.to(dev)).logits
        out.extend(logits.float().squeeze(-1).tolist())
        if progress is not None:
            progress.tick()
    return out


# ---------------------------------------------------------------------------------------
# Probe reward models: frozen body, linear head
# ---------------------------------------------------------------------------------------
def sequence_features(
    model,
    tokenizer,
    pairs: list[tuple[str, str]],
    batch_size: int = 128,
    progress: Progress | None = None,
):
    """Frozen features of each (prompt, response): every layer's hidden state at ``<eos>``
    and averaged over the response, concatenated and standardised. Returns (features of
    shape (n, d), number of tokens read)."""
    import torch

    body = model.base_model if hasattr(model, "base_model") else model
    dev = next(model.parameters()).device
    pad = tokenizer.pad_token_id
    feats = []
    n_tokens = 0
    for i in range(0, len(pairs), batch_size):
        chunk = pairs[i : i + batch_size]
        prompts = [encode_prompt(p, tokenizer) for p, _ in chunk]
        seqs = [sequence_ids(p, r, tokenizer) for p, r in chunk]
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        resp = torch.zeros(len(seqs), width)
        for j, s in enumerate(seqs):
            ids[j, : len(s)] = torch.tensor(s)
            mask[j, : len(s)] = 1
            resp[j, min(len(prompts[j]), len(s) - 1) : len(s)] = 1
        with torch.no_grad(), autocast(dev.type):
            hs = body(
                input_ids=ids.to(dev), attention_mask=mask.to(dev), output_hidden_states=True
            ).hidden_states
        last = mask.sum(1) - 1
        n_tokens += int(mask.sum())
        resp = resp.to(dev).unsqueeze(-1)
        parts = []
        for h in hs[1:]:
            h = h.float()
            parts.append(h[torch.arange(len(seqs)), last])
            parts.append((h * resp).sum(1) / resp.sum(1))
        feats.append(torch.cat(parts, dim=-1).cpu())
        if progress is not None:
            progress.tick()
    x = torch.cat(feats)
    mu, sd = x.mean(0), x.std(0) + 1e-5
    return (x - mu) / sd, n_tokens


def fit_probe_pairwise(xc, xr, *, steps: int = 150, lr: float = 0.05, l2: float = 1e-2):
    """Bradley-Terry logistic regression on feature differences; returns the weight."""
    import torch

    w = torch.zeros(xc.shape[1], requires_grad=True)
    opt = torch.optim.Adam([w], lr=lr)
    d = xc - xr
    for _ in range(steps):
        loss = torch.nn.functional.softplus(-(d @ w)).mean() + l2 * (w * w).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach()


def fit_probe_ratings(x, y, *, l2: float = 1e-2):
    """Ridge regression of standardised ratings on features (closed form)."""
    import torch

    y = torch.as_tensor(y, dtype=torch.float32)
    y = (y - y.mean()) / (y.std() + 1e-6)
    xb = torch.cat([x, torch.ones(len(x), 1)], 1)
    a = xb.T @ xb / len(x) + l2 * torch.eye(xb.shape[1])
    w = torch.linalg.solve(a, xb.T @ y / len(x))
    return w[:-1]
