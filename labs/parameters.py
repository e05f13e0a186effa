"""A lab's parameters: the engine's spec narrowed by the instructor's defaults and limits.

Students never see or set `path` parameters (a server file path is not theirs to choose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workers import LabInputError
from workers.experiments import Param, experiment_params, validate_params

WORDS = {
    "kl": "KL",
    "lr": "learning rate",
    "ppo": "PPO",
    "dpo": "DPO",
    "rl": "RL",
    "sft": "SFT",
    "rm": "RM",
    "coef": "coefficient",
}


def humanize(name: str) -> str:
    """ "kl_coef" -> "KL coefficient", "dpo_lr" -> "DPO learning rate": acronyms stay
    upper case, the first letter is raised (parameter labels, chart titles)."""
    words = []
    for word in name.split("_"):
        acronym = re.match(r"(kl|ppo|dpo|rl|sft)(\d[\d.]*)$", word)  # "kl0.3_gold": a sweep's
        words.append(f"{acronym[1].upper()} {acronym[2]}" if acronym else WORDS.get(word, word))
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class LabParam:
    """A parameter as the lab form shows it: the engine's, narrowed by the lab's limits."""

    param: Param
    default: Any

    name = property(lambda self: self.param.name)
    type = property(lambda self: self.param.type)
    help = property(lambda self: self.param.help)
    min = property(lambda self: self.param.min)
    max = property(lambda self: self.param.max)
    choices = property(lambda self: self.param.choices)

    @property
    def label(self) -> str:
        return humanize(self.param.name)

    @property
    def step(self) -> str:
        return "1" if self.param.type == "int" else "any"


def lab_params(experiment: str, defaults: dict, limits: dict) -> list[LabParam]:
    """The parameters a student may set, with the lab's defaults and limits."""
    return [
        LabParam(param, defaults.get(param.name, param.default))
        for param in experiment_params(experiment, limits)
        if param.type != "path"
    ]


def check_lab_config(experiment: str, defaults: dict, limits: dict) -> None:
    """Refuse (LabInputError) defaults or limits the engine would not accept."""
    settable = {param.name for param in experiment_params(experiment) if param.type != "path"}
    for name in [*defaults, *limits]:
        if name not in settable:
            raise LabInputError(f"{experiment}: no parameter {name!r} a student can set")
    for name, bounds in limits.items():
        if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
            raise LabInputError(f"limits for {name!r} must look like {{'min': 1, 'max': 50}}")
    validate(experiment, defaults, defaults, limits)


def validate(experiment: str, submitted: dict[str, Any], defaults: dict, limits: dict) -> dict:
    """A student's form, as the full parameter set of a run: an empty field takes the lab's
    default, path parameters the engine's (never a student's), and every value goes
    through the engine's one validation within the lab's limits (LabInputError names the
    first problem in words a student understands)."""
    chosen = {}
    for param in lab_params(experiment, defaults, limits):
        raw = submitted.get(param.name)
        chosen[param.name] = param.default if raw in ("", None) else raw
    return validate_params(experiment, chosen, limits=limits)
