"""What both RL loops sample and measure with: a rollout (sampled responses to a batch of
prompts, as token ids with the masks the losses need), per-token log-probs under a model,
and the frozen copy of the SFT model that the KL is measured against."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from workers import world
from workers.generation import encode_prompt, guarded_generate
from workers.runtime import autocast


@dataclass
class Rollout:
    infos: list[world.PromptInfo]
    responses: list[str]
    ids: Any  # (B, T) left-padded prompt, then response, then pad
    attention: Any  # (B, T)
    positions: Any  # (B, T)
    response_mask: Any  # (B, T-1): 1 where token t+1 is a generated response token
    lengths: list[int] = field(default_factory=list)  # response tokens (with eos)

    def rows(self, index) -> Rollout:
        """The token tensors of the rows ``index`` (a PPO minibatch); no texts."""
        return Rollout(
            [],
            [],
            self.ids[index],
            self.attention[index],
            self.positions[index],
            self.response_mask[index],
        )


def rollout(
    model, tokenizer, infos: list[world.PromptInfo], *, max_new_tokens: int, temperature: float
) -> Rollout:
    """Sample one response per entry of ``infos`` (repeat entries for several samples)."""
    import torch

    dev = next(model.parameters()).device
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    chunk = [encode_prompt(i.prompt, tokenizer) for i in infos]
    width = max(len(c) for c in chunk)
    ids = torch.full((len(chunk), width), pad, dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for j, c in enumerate(chunk):
        ids[j, width - len(c) :] = torch.tensor(c)
        mask[j, width - len(c) :] = 1
    was_training = model.training
    model.eval()
    with torch.no_grad(), autocast(dev.type):
        gen = guarded_generate(
            model,
            "a sampling logit of the policy",
            input_ids=ids.to(dev),
            attention_mask=mask.to(dev),
            do_sample=True,
            temperature=temperature,
            top_k=0,
            top_p=1.0,
            max_new_tokens=max_new_tokens,
            pad_token_id=pad,
            eos_token_id=eos,
        )
    if was_training:
        model.train()
    gen = gen.cpu()
    resp = gen[:, width:]
    is_eos = resp == eos
    # tokens up to and including the first eos
    after_eos = (is_eos.cumsum(1) - is_eos.long()) > 0
    resp_mask = (~after_eos).long()
    resp = torch.where(resp_mask.bool(), resp, torch.full_like(resp, pad))
    full = torch.cat([ids, resp], 1)
    attention = torch.cat([mask, resp_mask], 1)
    positions = (attention.cumsum(1) - 1).clamp(min=0)
    target_mask = torch.cat([torch.zeros_like(mask), resp_mask], 1)[:, 1:]
    responses, lengths = [], []
    for row, m in zip(resp.tolist(), resp_mask.tolist(), strict=True):
        n = sum(m)
        toks = row[:n]
        lengths.append(n)
        if toks and toks[-1] == eos:
            toks = toks[:-1]
        responses.append(tokenizer.decode(toks, skip_special_tokens=True).strip())
    return Rollout(
        infos,
        responses,
        full.to(dev),
        attention.to(dev),
        positions.to(dev),
        target_mask.to(dev),
        lengths,
    )


def token_logprobs(model, ro: Rollout, *, with_hidden: bool = False):
    """Log-prob of each next token (B, T-1) under ``model`` (and the last hidden state), in
    float32 whatever the autocast: the forward pass may run in bf16, the log-softmax never
    does. Positions whose next token is padding are exactly 0 (and their hidden state 0):
    under bf16 a padded position's activations can be NaN, and a mask multiplied by NaN is
    still NaN, which would poison every sum over the row."""
    import torch

    with autocast(ro.ids.device.type):
        out = model(
            input_ids=ro.ids,
            attention_mask=ro.attention,
            position_ids=ro.positions,
            output_hidden_states=with_hidden,
        )
    padded = ~ro.attention[:, 1:].bool()
    logits = out.logits[:, :-1].float()
    logp = torch.log_softmax(logits, -1).gather(-1, ro.ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    logp = logp.masked_fill(padded, 0.0)
    if with_hidden:
        hidden = out.hidden_states[-1][:, :-1].float().masked_fill(padded.unsqueeze(-1), 0.0)
        return logp, hidden
    return logp


def frozen_copy(model):
    """An independent, frozen copy of ``model``. A plain ``deepcopy`` is not enough after a
    transformers ``Trainer`` ran: accelerate replaces the instance's ``forward`` with a
    wrapper bound to the original, so the copy would run the original's weights."""
    ref = copy.deepcopy(model)
    if "forward" in ref.__dict__:
        del ref.forward
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref
