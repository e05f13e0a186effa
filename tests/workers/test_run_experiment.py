"""The one-call interface the web app's worker uses: report cadence and cancellation."""

import tempfile
import time
from pathlib import Path

import pytest

from workers import Cancelled, experiment_spec, list_experiments, run_experiment
from workers.experiments import validate_params
from workers.runtime import LabInputError


def test_every_spec_is_json_serialisable_with_typed_limits():
    import json

    for spec in list_experiments():
        again = json.loads(json.dumps(spec))
        assert again == spec
        for p in spec["params"]:
            assert {"name", "type", "default", "min", "max", "help", "choices"} <= set(p)
            if p["type"] in ("int", "float"):
                assert p["min"] <= p["default"] <= p["max"]


def test_validation_fills_defaults_and_coerces_strings():
    params = validate_params("sft", {"steps": "12", "lr": "0.002"})
    assert params["steps"] == 12 and params["lr"] == 0.002
    assert params["batch_size"] == experiment_spec("sft")["params"][2]["default"]
    with pytest.raises(
        LabInputError, match="rm_training must be one of probe, finetune, not 'magic'"
    ):
        validate_params("pairwise_vs_absolute", {"rm_training": "magic"})


@pytest.mark.slow
def test_report_comes_fast_and_at_least_every_two_seconds(labs_env):
    calls = []
    t0 = time.perf_counter()

    def report(step, total, metrics, samples):
        calls.append((time.perf_counter() - t0, step, total))
        assert all(isinstance(v, float) for v in metrics.values())
        assert isinstance(samples, list)

    run_experiment("sft", {"steps": 12, "samples_per_prompt": 1}, report)
    times = [t for t, _, _ in calls]
    assert times[0] < 3.0
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    assert max(gaps) < 2.0
    assert calls[-1][1] == calls[-1][2]  # finishes at step == total


@pytest.mark.slow
def test_raising_cancelled_in_report_stops_the_run_cleanly(labs_env, tmp_path, monkeypatch):
    # A temporary directory of this test's own: other test processes (make test runs the
    # lab tests in parallel) make and remove their trainers' directories in the shared one.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tmp = Path(tempfile.gettempdir())
    before = {p.name for p in tmp.glob("labs-*")}
    seen = []

    def report(step, total, metrics, samples):
        seen.append(step)
        if step >= 3:
            raise Cancelled

    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        run_experiment("sft", {"steps": 400, "samples_per_prompt": 1}, report)
    assert time.perf_counter() - t0 < 10  # 400 steps would take far longer
    assert max(seen) < 50
    assert {p.name for p in tmp.glob("labs-*")} == before  # trainer output dir removed


@pytest.mark.slow
def test_cancelling_during_the_reward_model_sweep_stops_it(labs_env):
    def report(step, total, metrics, samples):
        if step >= 5:
            raise Cancelled

    with pytest.raises(Cancelled):
        run_experiment("pairwise_vs_absolute", {"seeds": 2}, report)
