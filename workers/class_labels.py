"""Preference pairs for a class to label by hand, drawn from the lab world.

Each pair is two different responses to one world prompt whose gold scores differ, so a
class's labels can be checked against what the world knows people want, and the same
pairs can be labelled by the simulated annotators for comparison.
"""

from __future__ import annotations

import random
from typing import Any

from workers import annotators, world


def labelling_pairs(n: int = 40, seed: int = 0, min_gap: float = 0.3) -> list[dict[str, Any]]:
    """``n`` pairs from a family-balanced set of prompts, in a shuffled order."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    infos = world.eval_prompts(per_group=max(2, n // len(world.GROUPS) + 2), seed=seed + 11)
    pool = annotators.response_pool(infos, per_prompt=5, seed=seed)
    rng.shuffle(pool)
    pairs: list[dict[str, Any]] = []
    for group in pool:
        candidates = [
            (a, b)
            for i, a in enumerate(group)
            for b in group[i + 1 :]
            if abs(a.gold - b.gold) >= min_gap
        ]
        if not candidates:
            continue
        a, b = rng.choice(candidates)
        if rng.random() < 0.5:
            a, b = b, a
        pairs.append(
            {
                "prompt": a.info.prompt,
                "family": a.info.group,
                "response_a": a.response,
                "response_b": b.response,
                "gold_a": round(a.gold, 4),
                "gold_b": round(b.gold, 4),
            }
        )
        if len(pairs) == n:
            break
    return pairs
