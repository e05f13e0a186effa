"""Process-level runtime for the lab engine: device and dtype, torch threads, cancellation,
the error types a run stops with (bad input, divergence) and the progress throttle."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable
from typing import Any

Report = Callable[[int, int, dict[str, float], list[dict[str, Any]]], None]


class Cancelled(Exception):  # noqa: N818 - the name the web app and the issue use
    """Raise inside a ``report`` callback to stop a run cleanly."""


class LabError(Exception):
    """A run stopped for a reason a person can read: the message is one line, shown as the
    run's error (no traceback)."""


class LabInputError(LabError, ValueError):
    """Bad input from a person (unknown experiment, parameter out of range, bad model
    directory, malformed JSONL). The message is one line that names the problem."""


class NonFinite(LabError):
    """A loss, gradient norm, score or logit that is NaN or infinite, raised where it is
    found: ``Training diverged: the policy's loss is nan.`` A step loop that knows the step
    turns it into ``TrainingDiverged``."""

    def __init__(self, what: str, value: str = "nan"):
        self.reason = f"{what} is {value}"
        super().__init__(f"Training diverged: {self.reason}.")


class TrainingDiverged(LabError):
    """Training went non-finite at a known step: ``Training diverged at step 37: the
    policy's gradient norm is nan.`` Raised before the bad values reach an optimiser step
    where the loop can check first (the RL loops); the run stops."""

    def __init__(self, step: int, reason: str):
        super().__init__(f"Training diverged at step {step}: {reason}.")
        self.step, self.reason = step, reason


@contextlib.contextmanager
def diverged_at(step: int):
    """Inside, a ``NonFinite`` becomes ``TrainingDiverged`` at ``step``."""
    try:
        yield
    except NonFinite as exc:
        raise TrainingDiverged(step, exc.reason) from None


def check_finite(what: str, value) -> None:
    """Raise ``NonFinite`` when ``value`` (a float or a tensor of any shape) holds a NaN or
    an infinity. A tensor costs one host synchronisation."""
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise NonFinite(what, _describe(float(value)))
        return
    import torch

    if not bool(torch.isfinite(value).all()):
        bad = value.detach()[~torch.isfinite(value.detach())].flatten()[0]
        raise NonFinite(what, _describe(float(bad)))


def _describe(value: float) -> str:
    return "nan" if value != value else ("inf" if value > 0 else "-inf")


_configured = False
_prepared = False


def setup_torch() -> None:
    """One torch thread per process on CPU: two threads make these tiny models 7-25x
    slower on a 2-core machine. Idempotent."""
    global _configured
    if _configured:
        return
    import torch

    if not torch.cuda.is_available():
        torch.set_num_threads(int(os.environ.get("LABS_TORCH_THREADS", "1")))
        with contextlib.suppress(RuntimeError):  # already set once in this process
            torch.set_num_interop_threads(1)
    _configured = True


def prepare_runtime() -> None:
    """What a run needs before its first step, once per process (idempotent): one torch
    thread (``setup_torch``), torch, transformers and TRL imported with the lazy modules a
    first model load would import (so a run does not pay for them), and transformers' progress
    bars and warnings off. ``run_experiment``, ``preload`` and ``load_base`` call it; importing
    a module of the engine configures nothing."""
    global _prepared
    setup_torch()
    if _prepared:
        return
    import torch  # noqa: F401
    import transformers
    import trl  # noqa: F401
    from transformers import (  # noqa: F401
        AutoModelForCausalLM,
        AutoModelForSequenceClassification,
        GPT2ForSequenceClassification,
        GPT2LMHeadModel,
    )
    from transformers.models.auto.modeling_auto import (  # noqa: F401
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
    )

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    _prepared = True


def device() -> str:
    """``cuda`` when a GPU is visible (runs then use bf16), else ``cpu``."""
    import torch

    forced = os.environ.get("LABS_DEVICE")
    if forced:
        return forced
    return "cuda" if torch.cuda.is_available() else "cpu"


AUTOCAST_CHOICES = ("bf16", "off")


def use_bf16() -> bool:
    """Whether training and sampling run under bf16 autocast: on CUDA by default, on the
    CPU only when ``LABS_AUTOCAST=bf16`` (the tests that check the numerics on a machine
    without a GPU); ``LABS_AUTOCAST=off`` turns it off everywhere. Weights, optimiser
    state, log-softmax, the KL and advantage arithmetic and the value head stay float32."""
    mode = os.environ.get("LABS_AUTOCAST", "").strip().lower()
    if mode and mode not in AUTOCAST_CHOICES:
        raise LabInputError(f"LABS_AUTOCAST={mode!r} is not one of {', '.join(AUTOCAST_CHOICES)}")
    if mode:
        return mode == "bf16"
    return device() == "cuda"


def autocast(dev: str | None = None):
    """bf16 autocast on ``dev`` when ``use_bf16()``; a no-op context otherwise."""
    import torch

    if use_bf16():
        return torch.autocast(dev or device(), dtype=torch.bfloat16)
    return contextlib.nullcontext()


class Progress:
    """Calls ``report`` at most every ``interval`` seconds (and always when ``force``).

    Engine code calls ``tick`` often (every training step); the web app's callback sees a
    call at least every 2 seconds as long as no single step takes longer. ``Cancelled``
    raised by the callback propagates to the caller."""

    def __init__(self, report: Report | None, total: int, interval: float = 0.5):
        self.report = report
        self.total = total
        self.interval = interval
        self.step = 0
        self.last = 0.0
        self.first_at: float | None = None
        self.started = time.perf_counter()
        self.pending: list[tuple[int, dict[str, float]]] = []

    def tick(
        self,
        step: int | None = None,
        metrics: dict[str, float] | None = None,
        samples: list[dict[str, Any]] | None = None,
        force: bool = False,
    ) -> None:
        """Report progress, at most every ``interval`` seconds. Metric points of throttled
        ticks are kept and reported (each at its own step) with the next report, so a
        chart never misses a point."""
        if step is not None:
            self.step = step
        if metrics:
            self.pending.append((self.step, {k: float(v) for k, v in metrics.items()}))
        now = time.perf_counter()
        if not force and not samples and now - self.last < self.interval:
            return
        self.last = now
        if self.first_at is None:
            self.first_at = now - self.started
        if self.report is None:
            self.pending.clear()
            return
        pending, self.pending = self.pending, []
        values: dict[str, float] = {}
        if pending and pending[-1][0] == self.step:
            values = pending.pop()[1]
        for at, earlier in pending:
            self.report(min(at, self.total), self.total, earlier, [])
        self.report(min(self.step, self.total), self.total, values, samples or [])

    def advance(self, n: int = 1, **kw: Any) -> None:
        self.tick(self.step + n, **kw)
