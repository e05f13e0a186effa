"""The experiment registry: the catalogue (``catalogue.py``) of typed, JSON-serialisable
parameter specs (``spec.py``), parameter validation and ``run_experiment``. Importing this
module does not import torch."""

from __future__ import annotations

import importlib
import time
from dataclasses import asdict
from typing import Any

from workers.base_model import check_causal_lm
from workers.experiments.catalogue import EXPERIMENTS
from workers.experiments.spec import Experiment, Param
from workers.runtime import Cancelled, LabInputError, Report, prepare_runtime
from workers.sft import read_jsonl


def list_experiments() -> list[dict[str, Any]]:
    return [experiment_spec(n) for n in EXPERIMENTS]


def _get(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise LabInputError(
            f"unknown experiment {name!r} (known: {', '.join(sorted(EXPERIMENTS))})"
        )
    return EXPERIMENTS[name]


def experiment_spec(name: str) -> dict[str, Any]:
    """JSON-serialisable description of an experiment and its parameters."""
    exp = _get(name)
    params = []
    for p in exp.params:
        d = asdict(p)
        d["choices"] = list(p.choices)
        del d["scope"]
        params.append(d)
    return {
        "name": exp.name,
        "title": exp.title,
        "summary": exp.summary,
        "params": params,
        "needs_gold": exp.needs_gold,
        "budget_seconds": exp.budget_seconds,
    }


def experiment_params(name: str, limits: dict[str, dict] | None = None) -> tuple[Param, ...]:
    """The experiment's parameters, each narrowed by ``limits`` (a lab's instructor
    settings, ``{"steps": {"max": 50}}``) when given."""
    limits = limits or {}
    return tuple(p.narrowed(limits.get(p.name)) for p in _get(name).params)


def validate_params(
    name: str, params: dict[str, Any] | None, *, limits: dict[str, dict] | None = None
) -> dict[str, Any]:
    """Defaults filled in, values coerced and range-checked (within ``limits`` when given);
    unknown keys refused. The one validation of a run's parameters: the web app calls it
    with the lab's limits before storing a run, the worker again on the stored row."""
    known = {p.name: p for p in experiment_params(name, limits)}
    params = dict(params or {})
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise LabInputError(f"{name}: unknown parameter {unknown[0]!r} (known: {', '.join(known)})")
    return {k: p.coerce(params.get(k, p.default)) for k, p in known.items()}


def preflight(name: str, params: dict[str, Any]) -> None:
    """Checks that need files but no training: the JSONL dataset parses, and
    ``LABS_BASE_MODEL`` (if set) is a causal LM. Raises ``LabInputError``."""
    import os

    exp = _get(name)
    if params.get("dataset"):
        read_jsonl(params["dataset"], exp.dataset_fields)
    if os.environ.get("LABS_BASE_MODEL"):
        check_causal_lm(os.environ["LABS_BASE_MODEL"])


def run_experiment(
    name: str, params: dict[str, Any] | None = None, report: Report | None = None
) -> dict[str, Any]:
    """Run one experiment and return its result (schema in ``workers/README.md``).

    ``report(step, total, metrics, samples)`` is called at least every 2 seconds;
    raising ``Cancelled`` inside it stops the run (the exception propagates)."""
    t0 = time.perf_counter()
    values = validate_params(name, params)
    preflight(name, values)
    first: list[float] = []

    def wrapped(step: int, total: int, metrics: dict[str, float], samples: list) -> None:
        if not first:
            first.append(time.perf_counter() - t0)
        if report is not None:
            report(step, total, metrics, samples)

    prepare_runtime()
    module = importlib.import_module(_get(name).module)
    result = module.run(values, wrapped)
    result["experiment"] = name
    result["params"] = values
    timings = result.setdefault("timings", {})
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    timings["first_progress_s"] = round(first[0], 3) if first else None
    return result


__all__ = [
    "Cancelled",
    "EXPERIMENTS",
    "Experiment",
    "Param",
    "experiment_params",
    "experiment_spec",
    "list_experiments",
    "preflight",
    "run_experiment",
    "validate_params",
]
