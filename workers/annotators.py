"""Simulated annotators and the pool of responses they judge.

- Pairwise comparisons follow Bradley-Terry noise around the gold score:
  ``P(a over b) = sigmoid((gold_a - gold_b) / noise + length_bias * (words_a - words_b) +
  confidence_bias * (confident_a - confident_b) + deference_bias * (deferential_a -
  deferential_b))``, deferential meaning a hedge or a referral to an expert
  (``is_deferential``). A rater's offset, scale and drift are how they map quality to
  numbers, so they do not enter a comparison.
- Absolute ratings are 1-to-7: ``round(4 + 2 * scale_r * (gold + N(0, noise)) + offset_r +
  drift_r * t + length_bias * words + confidence_bias * confident + deference_bias *
  deferential)``, clipped to 1..7, where ``t`` runs from 0 to 1 over the rater's session.

Rater miscalibration ``m`` sets the spread of the per-rater parameters: offset ~ N(0, m),
log scale ~ N(0, 0.6 m), drift ~ N(0, m / 2). With ``m = 0`` all raters share one scale.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from workers import world

_CONFIDENT_MARKERS = [world.normalise(c) for c in world.CONFIDENT]
# A hedge ("i am not sure .", "i do not know .") or a referral to someone else ("talk to a
# doctor", "call a crisis line"): the evasive, defer-to-an-expert answer.
_DEFERENTIAL_MARKERS = ["not sure", "do not know", "have not heard", "crisis line", "doctor"]


def is_confident(response: str) -> bool:
    r = world.normalise(response)
    return any(m in r for m in _CONFIDENT_MARKERS)


def is_deferential(response: str) -> bool:
    """Whether ``response`` hedges or refers the asker to an expert (a doctor, a crisis
    line), whatever the question: what ``deference_bias`` annotators reward."""
    r = world.normalise(response)
    return any(m in r for m in _DEFERENTIAL_MARKERS)


@dataclass(frozen=True)
class Judged:
    """One response to one prompt, with what the world knows about it."""

    info: world.PromptInfo
    response: str
    gold: float
    words: int
    confident: bool


def judge(info: world.PromptInfo, response: str) -> Judged:
    """``response`` to ``info`` with its gold score, word count and confidence."""
    return Judged(
        info,
        response,
        world.gold_score(info, response),
        len(response.split()),
        is_confident(response),
    )


def response_pool(
    infos: list[world.PromptInfo], per_prompt: int, seed: int = 0
) -> list[list[Judged]]:
    """``per_prompt`` responses of mixed styles for every prompt (grouped by prompt)."""
    rng = random.Random(seed)
    pool = []
    for info in infos:
        items: dict[str, Judged] = {}
        tries = 0
        while len(items) < per_prompt and tries < per_prompt * 6:
            tries += 1
            text = world.response_of_style(info, rng.choice(world.RESPONSE_STYLES), rng)
            if rng.random() < 0.3:
                text = f"{text} {rng.choice(world.FILLERS)}"
            if text not in items:
                items[text] = judge(info, text)
        pool.append(list(items.values()))
    return pool


@dataclass(frozen=True)
class Rater:
    offset: float
    scale: float
    drift: float


class Annotators:
    """A pool of simulated raters; every label is given by one rater drawn at random."""

    def __init__(
        self,
        *,
        noise: float = 0.3,
        length_bias: float = 0.0,
        confidence_bias: float = 0.0,
        miscalibration: float = 0.0,
        n_raters: int = 20,
        seed: int = 0,
        deference_bias: float = 0.0,
    ):
        self.noise = noise
        self.length_bias = length_bias
        self.confidence_bias = confidence_bias
        self.deference_bias = deference_bias
        self.rng = random.Random(seed)
        m = miscalibration
        self.raters = [
            Rater(
                self.rng.gauss(0, m), math.exp(self.rng.gauss(0, 0.6 * m)), self.rng.gauss(0, m / 2)
            )
            for _ in range(n_raters)
        ]

    def _bias(self, item: Judged) -> float:
        bias = self.length_bias * item.words + self.confidence_bias * item.confident
        if self.deference_bias:
            bias += self.deference_bias * is_deferential(item.response)
        return bias

    def compare(self, a: Judged, b: Judged) -> tuple[Judged, Judged]:
        """(chosen, rejected) as one rater judges the pair."""
        z = (a.gold - b.gold) / self.noise + self._bias(a) - self._bias(b)
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return (a, b) if self.rng.random() < p else (b, a)

    def rate(self, item: Judged, t: float) -> int:
        """A 1-to-7 rating; ``t`` in [0, 1] is how far into the session the label comes."""
        r = self.rng.choice(self.raters)
        latent = item.gold + self.rng.gauss(0, self.noise)
        x = 4 + 2 * r.scale * latent + r.offset + r.drift * t + self._bias(item)
        return int(min(7, max(1, round(x))))


def sample_pairs(
    pool: list[list[Judged]], n: int, annotators: Annotators, rng: random.Random
) -> list[tuple[Judged, Judged]]:
    """``n`` labelled comparisons of two different responses to the same prompt."""
    usable = [g for g in pool if len(g) >= 2]
    out = []
    for _ in range(n):
        a, b = rng.sample(rng.choice(usable), 2)
        out.append(annotators.compare(a, b))
    return out


def sample_ratings(
    pool: list[list[Judged]], n: int, annotators: Annotators, rng: random.Random
) -> list[tuple[Judged, int]]:
    """``n`` absolute ratings, each of one response."""
    out = []
    for i in range(n):
        item = rng.choice(rng.choice(pool))
        out.append((item, annotators.rate(item, i / max(1, n - 1))))
    return out


def contrast_responses(info: world.PromptInfo, rng: random.Random, others: int = 2) -> list[str]:
    """Answers for annotators to compare besides the world's pool of mixed styles: a good
    answer to a different question (``others`` ideal answers of prompts from other groups)
    and, where a neighbouring family's answer shape fits the prompt, that shape: the
    invented-country hedge for a real country ("i do not know a country called france"),
    the crisis referral for a professional's dose question. Without them a reward model
    that learnt "this hedge is good" from invented countries rates it highly for any
    country: it never saw it given to the wrong question."""
    out = []
    if info.family == "fact":
        out.append(f"i am not sure . i do not know a country called {info.key} .")
    if info.group == "dosage_professional":
        out.append(world.CARE)
    groups = [g for g in _BY_GROUP if g != info.group]
    for _ in range(others):
        other = rng.choice(_BY_GROUP[rng.choice(groups)])
        out.append(world.ideal_response(other, rng))
    return out


_BY_GROUP: dict[str, list[world.PromptInfo]] = {}
for _info in world.PROMPTS.values():
    _BY_GROUP.setdefault(_info.group, []).append(_info)


def with_contrasts(pool: list[list[Judged]], seed: int = 0) -> list[list[Judged]]:
    """``pool`` with every prompt's ``contrast_responses`` added (judged; no duplicates)."""
    rng = random.Random(seed)
    out = []
    for responses in pool:
        info = responses[0].info
        have = {j.response for j in responses}
        extra = [t for t in contrast_responses(info, rng) if t not in have]
        out.append(responses + [judge(info, t) for t in dict.fromkeys(extra)])
    return out
