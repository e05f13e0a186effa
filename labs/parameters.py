"""A lab's parameters: the engine's spec narrowed by the instructor's defaults and limits.

Students never see or set `path` parameters (a server file path is not theirs to choose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workers import LabInputError, experiment_spec
from workers.experiments import validate_params

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
    name: str
    type: str
    default: Any
    help: str
    min: float | None
    max: float | None
    choices: tuple[str, ...]

    @property
    def label(self) -> str:
        return humanize(self.name)

    @property
    def step(self) -> str:
        return "1" if self.type == "int" else "any"


def lab_params(experiment: str, defaults: dict, limits: dict) -> list[LabParam]:
    """The parameters a student may set, with effective defaults and limits."""
    params = []
    for spec in experiment_spec(experiment)["params"]:
        if spec["type"] == "path":
            continue
        own = limits.get(spec["name"], {})
        low, high = spec["min"], spec["max"]
        if own.get("min") is not None:
            low = own["min"] if low is None else max(low, own["min"])
        if own.get("max") is not None:
            high = own["max"] if high is None else min(high, own["max"])
        params.append(
            LabParam(
                name=spec["name"],
                type=spec["type"],
                default=defaults.get(spec["name"], spec["default"]),
                help=spec["help"],
                min=low,
                max=high,
                choices=tuple(spec["choices"]),
            )
        )
    return params


def check_lab_config(experiment: str, defaults: dict, limits: dict) -> None:
    """Refuse (LabInputError) defaults or limits the engine would not accept."""
    spec = {p["name"]: p for p in experiment_spec(experiment)["params"]}
    for name in [*defaults, *limits]:
        if name not in spec or spec[name]["type"] == "path":
            raise LabInputError(f"{experiment}: no parameter {name!r} a student can set")
    for name, bounds in limits.items():
        if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
            raise LabInputError(f"limits for {name!r} must look like {{'min': 1, 'max': 50}}")
    validate(experiment, defaults, defaults, limits)


def validate(experiment: str, submitted: dict[str, Any], defaults: dict, limits: dict) -> dict:
    """Coerce and range-check a student's values; return the full parameter set.

    Raises LabInputError naming the first problem in words a student understands.
    """

    chosen: dict[str, Any] = {}
    for param in lab_params(experiment, defaults, limits):
        raw = submitted.get(param.name, param.default)
        if raw in ("", None):
            raw = param.default
        value = _number(param, raw)
        if param.min is not None and value < param.min:
            raise LabInputError(f"{param.name} must be at least {_fmt(param.min)} in this lab")
        if param.max is not None and value > param.max:
            raise LabInputError(f"{param.name} must be at most {_fmt(param.max)} in this lab")
        chosen[param.name] = value
    return validate_params(experiment, chosen)


def _number(param: LabParam, raw: Any) -> Any:
    """Coerce a form value to the parameter's type, with a message a student understands."""
    if param.type not in ("int", "float"):
        return raw
    try:
        value = float(raw)
    except (TypeError, ValueError):
        kind = "a whole number" if param.type == "int" else "a number"
        raise LabInputError(f"{param.name} must be {kind}, not {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise LabInputError(f"{param.name} must be a finite number")
    if param.type == "int":
        if not value.is_integer():
            raise LabInputError(f"{param.name} must be a whole number, not {raw!r}")
        return int(value)
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
