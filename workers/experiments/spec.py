"""What an experiment is to the web app and the CLI: its title, summary, the module that runs
it and a typed, JSON-serialisable spec per parameter (the web app builds its lab form from
it), with the coercion and range check of one value. The experiments themselves are listed
in ``catalogue.py``."""

from __future__ import annotations

from dataclasses import dataclass
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

    def coerce(self, experiment: str, value: Any) -> Any:
        where = f"{experiment}: parameter {self.name}"
        try:
            if self.type == "int":
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise ValueError
                v: Any = int(value)
            elif self.type == "float":
                if isinstance(value, bool):
                    raise ValueError
                v = float(value)
                if v != v:  # NaN
                    raise ValueError
            else:
                v = str(value)
        except (TypeError, ValueError):
            raise LabInputError(f"{where} must be {self.type}, got {value!r}") from None
        numeric = self.type in ("int", "float")
        if numeric and (
            (self.min is not None and v < self.min) or (self.max is not None and v > self.max)
        ):
            raise LabInputError(f"{where}={v} is outside its limits [{self.min}, {self.max}]")
        if self.type == "choice" and v not in self.choices:
            raise LabInputError(f"{where}={v!r} is not one of {', '.join(self.choices)}")
        return v


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
