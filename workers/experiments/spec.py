"""What an experiment is to the web app and the CLI: its title, summary, the module that runs
it and a typed, JSON-serialisable spec per parameter (the web app builds its lab form from
it), with the coercion and range check of one value. The experiments themselves are listed
in ``catalogue.py``."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from workers.runtime import LabInputError


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "int" | "float" | "choice" | "path"
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    scope: str = ""  # " in this lab" once a lab's limits have narrowed the range

    def narrowed(self, limits: dict[str, float] | None) -> Param:
        """This parameter within a lab's limits (``{"min": 1, "max": 50}``): they tighten
        the engine's range, never widen it."""
        low, high = self.min, self.max
        if limits and limits.get("min") is not None and (low is None or limits["min"] > low):
            low = limits["min"]
        if limits and limits.get("max") is not None and (high is None or limits["max"] < high):
            high = limits["max"]
        if (low, high) == (self.min, self.max):
            return self
        return replace(self, min=low, max=high, scope=" in this lab")

    def coerce(self, value: Any) -> Any:
        """THE coercion of one value, for the CLI, the web form and the worker alike: the
        parameter's type within its range, or LabInputError naming the parameter in words
        a student understands. Text from a form or the command line is parsed."""
        if self.type == "int":
            number = self._number(value, "a whole number")
            if not number.is_integer():
                raise LabInputError(f"{self.name} must be a whole number, not {value!r}")
            coerced: Any = int(number)
        elif self.type == "float":
            coerced = self._number(value, "a number")
        else:
            coerced = str(value)
        if self.type in ("int", "float"):
            if self.min is not None and coerced < self.min:
                raise LabInputError(f"{self.name} must be at least {_fmt(self.min)}{self.scope}")
            if self.max is not None and coerced > self.max:
                raise LabInputError(f"{self.name} must be at most {_fmt(self.max)}{self.scope}")
        if self.type == "choice" and coerced not in self.choices:
            raise LabInputError(
                f"{self.name} must be one of {', '.join(self.choices)}, not {coerced!r}"
            )
        return coerced

    def _number(self, value: Any, kind: str) -> float:
        if isinstance(value, bool):
            raise LabInputError(f"{self.name} must be {kind}, not {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise LabInputError(f"{self.name} must be {kind}, not {value!r}") from None
        if not math.isfinite(number):
            raise LabInputError(f"{self.name} must be a finite number")
        return number


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    summary: str
    module: str
    params: tuple[Param, ...]
    needs_gold: str = ""
    dataset_fields: tuple[str, ...] = ()
    budget_seconds: int = 60


SEED = Param("seed", "int", 0, "random seed (fixes data, sampling and initialisation)", 0, 10**6)
