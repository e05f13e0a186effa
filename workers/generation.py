"""Prompt formatting, batched sampling and gold evaluation of a causal LM."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from workers import world
from workers.runtime import NonFinite, autocast


def is_world_tokenizer(tokenizer) -> bool:
    return world.USER in tokenizer.get_vocab() and world.BOT in tokenizer.get_vocab()


def format_prompt(prompt: str, tokenizer) -> str:
    """The chat frame the model sees: the world's markers, or a plain one for other models."""
    if is_world_tokenizer(tokenizer):
        return f"{world.USER} {world.normalise(prompt)} {world.BOT}"
    return f"User: {prompt}\nAssistant:"


def encode_prompt(prompt: str, tokenizer) -> list[int]:
    return tokenizer(format_prompt(prompt, tokenizer), add_special_tokens=False)["input_ids"]


def encode_response(response: str, tokenizer) -> list[int]:
    text = world.normalise(response) if is_world_tokenizer(tokenizer) else " " + response
    return tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]


class FiniteLogits:
    """A logits processor for ``model.generate``: rows of next-token logits holding a NaN or
    +inf (or only -inf) are replaced by zeros before sampling, so ``torch.multinomial`` never
    sees them (on CUDA it would end in a device-side assert that leaves the process's CUDA
    context unusable), and a flag kept on the device records it. ``check`` (after
    ``generate``: one host synchronisation, not one per token) raises ``NonFinite``."""

    def __init__(self):
        self.nan = None
        self.inf = None

    def __call__(self, input_ids, scores):
        import torch

        # A row's maximum is NaN if any logit is, +inf if one is, -inf if all are: one
        # reduction finds every row the sampler cannot draw from (a banned token's -inf in
        # an otherwise finite row is fine), so the check costs about one pass over the logits.
        top = scores.amax(-1)
        nan, inf = torch.isnan(top), torch.isinf(top)
        self.nan = nan.any() if self.nan is None else self.nan | nan.any()
        self.inf = inf.any() if self.inf is None else self.inf | inf.any()
        return scores.masked_fill((nan | inf).unsqueeze(-1), 0.0)

    def check(self, what: str) -> None:
        if self.nan is not None and bool(self.nan):
            raise NonFinite(what, "nan")
        if self.inf is not None and bool(self.inf):
            raise NonFinite(what, "inf")


def guarded_generate(model, what: str = "a sampling logit of the model", **kwargs):
    """``model.generate(**kwargs)`` with ``FiniteLogits`` in front of the sampler; raises
    ``NonFinite`` naming ``what`` when a logit was NaN or infinite."""
    from transformers import LogitsProcessorList

    guard = FiniteLogits()
    out = model.generate(logits_processor=LogitsProcessorList([guard]), **kwargs)
    guard.check(what)
    return out


def sample(
    model,
    tokenizer,
    prompts: list[str],
    *,
    max_new_tokens: int = 32,
    temperature: float = 1.0,
    seed: int = 0,
    batch_size: int | None = None,
    progress=None,
) -> list[str]:
    """Sampled (T=1 by default: greedy decoding hides a base model's amorality) responses,
    ``batch_size`` prompts per ``generate`` call: 64 on the CPU (as measured for one
    thread), 512 on a GPU, where each call pays a kernel launch and a host round trip per
    new token whatever its width."""
    import torch

    torch.manual_seed(seed)
    dev = next(model.parameters()).device
    batch_size = batch_size or (64 if dev.type == "cpu" else 512)
    out: list[str] = []
    was_training = model.training
    model.eval()
    pad = tokenizer.pad_token_id
    for i in range(0, len(prompts), batch_size):
        chunk = [encode_prompt(p, tokenizer) for p in prompts[i : i + batch_size]]
        width = max(len(c) for c in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for j, c in enumerate(chunk):  # left padding
            ids[j, width - len(c) :] = torch.tensor(c)
            mask[j, width - len(c) :] = 1
        with torch.no_grad(), autocast(dev.type):
            gen = guarded_generate(
                model,
                input_ids=ids.to(dev),
                attention_mask=mask.to(dev),
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                top_k=0,
                top_p=1.0,
                max_new_tokens=max_new_tokens,
                pad_token_id=pad,
                eos_token_id=tokenizer.eos_token_id,
            )
        for row in gen[:, width:].tolist():
            if tokenizer.eos_token_id in row:
                row = row[: row.index(tokenizer.eos_token_id)]
            out.append(tokenizer.decode(row, skip_special_tokens=True).strip())
        if progress is not None:
            progress.tick()  # keeps the report coming during long evaluations
    if was_training:
        model.train()
    return out


def evaluate_gold(
    model,
    tokenizer,
    infos: list[world.PromptInfo],
    *,
    samples_per_prompt: int = 1,
    seed: int = 0,
    max_new_tokens: int = 32,
    temperature: float = 1.0,
    progress=None,
) -> dict[str, Any]:
    """Sample responses to world prompts and score them with the gold rubric.

    Returns per-group mean gold, refusal and compliance rates, overall mean gold and the
    list of (info, response, gold) records."""
    prompts = [i.prompt for i in infos for _ in range(samples_per_prompt)]
    expanded = [i for i in infos for _ in range(samples_per_prompt)]
    responses = sample(
        model,
        tokenizer,
        prompts,
        max_new_tokens=max_new_tokens,
        seed=seed,
        temperature=temperature,
        progress=progress,
    )
    records = []
    acc: dict[str, list[tuple[float, bool, bool]]] = defaultdict(list)
    for info, resp in zip(expanded, responses, strict=True):
        g = world.gold_score(info, resp)
        refused, complied = world.is_refusal(resp), world.is_compliance(resp)
        records.append({"info": info, "response": resp, "gold": g, "refused": refused})
        acc[info.group].append((g, refused, complied))
    groups = {}
    for g in world.GROUPS:
        rows = acc.get(g)
        if not rows:
            continue
        groups[g] = {
            "gold": sum(r[0] for r in rows) / len(rows),
            "refusal": sum(r[1] for r in rows) / len(rows),
            "compliance": sum(r[2] for r in rows) / len(rows),
            "n": len(rows),
        }
    mean = sum(r["gold"] for r in records) / max(1, len(records))
    return {"groups": groups, "mean_gold": mean, "records": records}


def pick_samples(records: list[dict], per_group: int = 1, seed: int = 0) -> list[dict]:
    """A few records per group, for the result's sample table."""
    rng = random.Random(seed)
    by: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by[r["info"].group].append(r)
    out = []
    for g in world.GROUPS:
        if by.get(g):
            out.extend(rng.sample(by[g], min(per_group, len(by[g]))))
    return out
