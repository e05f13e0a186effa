"""Charts and the status line count each phase's own steps (the engine reports one step
count across SFT, the reward model and RL), draw each quantity once with human labels, and
show a phase's first point at once."""

import json
import uuid

from labs.charts import phase_progress, run_charts
from labs.models import LabRun

SFT, RM, RL = 36, 221, 100  # the reward-hacking run: RL ran at steps 258-357, a sweep after
RL_KEYS = ("proxy_reward", "gold", "kl", "response_length", "refusal_harmful")


def _hacking_metrics(rl_done: int, sweep_done: int = 0) -> dict:
    metrics = {
        "load_seconds": [[0, 0.2]],
        "sft_loss": [[s, 2.0 / s] for s in range(1, SFT + 1)],
        "pairwise_loss": [[SFT + s, 0.7] for s in range(1, RM + 1)],
    }
    for key in RL_KEYS:
        metrics[key] = [[SFT + RM + s, 0.1 * s] for s in range(1, rl_done + 1)]
    for key in ("proxy_reward", "gold", "kl"):
        if sweep_done:
            metrics[f"kl0.1_{key}"] = [[SFT + RM + RL + s, 0.1] for s in range(1, sweep_done + 1)]
    return metrics


def _run(lab, user, **fields) -> LabRun:
    lab.experiment = "reward_hacking"
    lab.save()
    defaults = {
        "params": {"steps": RL, "sft_steps": SFT, "kl_coef": 0.0, "sweep": "0.1"},
        "dispatches": 1,
        "active_slot": 1,
        "status": LabRun.Status.RUNNING,
        "total": SFT + RM + 2 * RL,
    }
    return LabRun.objects.create(
        lab=lab, user=user, submission=uuid.uuid4(), **{**defaults, **fields}
    )


def _charts(text: str) -> dict:
    raw = text.split('id="run-charts" type="application/json">')[1].split("</script>")[0]
    return json.loads(raw)


def test_the_first_rl_step_reads_rl_step_1_of_100_not_the_runs_global_step(client, student, lab):
    run = _run(lab, student, step=SFT + RM + 1, metrics=_hacking_metrics(1))
    client.force_login(student)
    text = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).text
    assert "RL step 1 of 100" in text and "Step 259 of 458" not in text


def test_rl_is_plotted_from_its_own_step_1(client, student, lab):
    run = _run(lab, student, step=SFT + RM + 5, metrics=_hacking_metrics(5))
    client.force_login(student)
    charts = {c["id"]: c for c in _charts(client.get(run.get_absolute_url()).text)["live"]}
    reward = charts["rl-reward"]
    assert reward["x_label"] == "RL step" and reward["y_label"] == "score"
    assert {line["label"] for line in reward["lines"]} == {
        "proxy reward (reward model)",
        "gold score (true preference)",
    }
    assert [p[0] for p in reward["lines"][0]["points"]] == [1, 2, 3, 4, 5]
    assert [p[0] for p in charts["rm-loss"]["lines"][0]["points"]][:2] == [1, 2]
    assert "live-load_seconds" not in charts  # a single value: in the Latest values table


def test_a_sweep_run_counts_its_own_steps_and_shares_the_charts(client, student, lab):
    run = _run(lab, student, step=SFT + RM + RL + 3, metrics=_hacking_metrics(RL, 3))
    assert phase_progress(run) == "RL step 3 of 100 (KL coef 0.1)"
    charts = {c["id"]: c for c in run_charts(run)["live"]}
    lines = {line["label"]: line["points"] for line in charts["rl-kl"]["lines"]}
    assert lines["KL, KL coef 0.1"][0][0] == 1 and lines["KL, KL coef 0"][-1][0] == RL
    # one chart per quantity, the sweep's lines beside the main run's (not a chart each)
    assert set(charts) == {"sft-loss", "rm-loss", "rl-reward", "rl-kl", "rl-length", "rl-refusal"}


def test_between_phases_the_overall_step_is_shown(client, student, lab):
    run = _run(lab, student, step=SFT + 2, metrics=_hacking_metrics(0))
    run.metrics = {"sft_loss": run.metrics["sft_loss"]}  # sampling for the labels: no loss yet
    run.save()
    assert phase_progress(run) == ""
    client.force_login(student)
    assert f"Step {SFT + 2} of {SFT + RM + 2 * RL}" in client.get(run.get_absolute_url()).text


def test_a_finished_run_draws_each_quantity_once_with_human_labels(client, student, lab):
    result = {
        "headline": "Gold peaked and fell.",
        "series": {
            "reward_over_steps": {"x_label": "RL step", "y_label": "score", "lines": {"p": []}},
            "kl_over_steps": {"x_label": "RL step", "y_label": "KL", "lines": {"a": []}},
            "response_length": {"x_label": "RL step", "y_label": "tokens", "lines": {"a": []}},
            "gold_vs_sqrt_kl": {"x_label": "sqrt(KL)", "y_label": "score", "lines": {"a": []}},
        },
        "tables": [],
    }
    run = _run(
        lab,
        student,
        status=LabRun.Status.SUCCEEDED,
        active_slot=None,
        step=SFT + RM + 2 * RL,
        metrics=_hacking_metrics(RL, RL),
        result=result,
    )
    charts = run_charts(run)
    ids = [c["id"] for c in charts["live"] + charts["final"]]
    assert len(ids) == len(set(ids))
    assert {c["id"] for c in charts["live"]} == {"sft-loss", "rm-loss", "rl-refusal"}
    labels = [c["y_label"] for c in charts["live"] + charts["final"]]
    assert not [label for label in labels if "_" in label]  # no proxy_reward, no kl_end
    titles = {c["id"]: c["title"] for c in charts["final"]}
    assert titles["reward_over_steps"] == "Proxy reward and gold score over RL"


def test_the_first_sft_point_is_charted_as_soon_as_it_is_written(client, student, lab):
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        params={"steps": 36},
        dispatches=1,
        active_slot=1,
        status=LabRun.Status.RUNNING,
        step=2,
        total=38,
        metrics={"load_seconds": [[0, 0.1]], "base_gold": [[1, 0.2]], "sft_loss": [[2, 3.1]]},
    )
    client.force_login(student)
    response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    [chart] = _charts(response.text)["live"]
    assert chart["id"] == "sft-loss" and chart["lines"][0]["points"] == [[1, 3.1]]
    assert "SFT step 1 of 36" in response.text


def test_the_last_points_arrive_with_the_final_poll(client, student, lab):
    """The run ends between two polls: the poll that sees it finished (286, polling stops)
    still carries every point, so the chart ends at the last step."""
    metrics = {"sft_loss": [[s, 1.0 / s] for s in range(2, 38)]}
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        params={"steps": 36},
        status=LabRun.Status.SUCCEEDED,
        step=38,
        total=38,
        metrics=metrics,
        result={"headline": "done", "series": {}, "tables": []},
    )
    client.force_login(student)
    response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 286
    [chart] = _charts(response.text)["live"]
    assert chart["lines"][0]["points"][-1] == [36, 1.0 / 37]


def test_a_step_ended_before_its_loss_is_logged_is_still_in_its_phase(client, student, lab):
    metrics = _hacking_metrics(0)
    metrics["pairwise_loss"] = metrics["pairwise_loss"][:10]  # logged up to RM step 10
    run = _run(lab, student, step=SFT + 11, metrics=metrics)
    assert phase_progress(run) == "Reward model step 11"
    run.metrics = {"sft_loss": metrics["sft_loss"]}  # SFT is over: step 37 is past its 36
    run.step = SFT + 1
    assert phase_progress(run) == ""


def test_dpo_measured_every_few_steps_is_plotted_at_its_own_steps(client, student, lab):
    lab.experiment = "dpo_vs_ppo"
    lab.save()
    sft_end = 37  # SFT's 36 steps and the start's measurement
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        params={"dpo_steps": 25, "ppo_steps": 30, "eval_every": 10},
        status=LabRun.Status.RUNNING,
        dispatches=1,
        active_slot=1,
        step=sft_end + 20,
        total=200,
        metrics={"dpo_gold": [[sft_end + 10, 0.5], [sft_end + 20, 0.6]]},
    )
    [chart] = run_charts(run)["live"]
    assert chart["lines"][0]["points"] == [[10, 0.5], [20, 0.6]]
    assert phase_progress(run) == "DPO step 20 of 25"


def test_a_phase_trained_again_under_the_same_name_keeps_the_runs_step_count(client, student, lab):
    """Two seeds, each with its own SFT at its own offset: counting from the first point
    would call seed 2's steps 'SFT step 51 of 36'."""
    first_seed = [[s, 1.0] for s in range(1, 37)]
    second_seed = [[50 + s, 1.0] for s in range(1, 11)]
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        params={"steps": 36},
        status=LabRun.Status.RUNNING,
        dispatches=1,
        active_slot=1,
        step=60,
        total=100,
        metrics={"sft_loss": first_seed + second_seed},
    )
    [chart] = run_charts(run)["live"]
    assert chart["x_label"] == "step of the whole run"
    assert chart["lines"][0]["points"][-1][0] == 60
    assert phase_progress(run) == ""
    client.force_login(student)
    assert "Step 60 of 100 overall" in client.get(run.get_absolute_url()).text


def test_attack_success_per_stage_is_a_value_in_words_not_a_chart_each(client, student, lab):
    lab.experiment = "surface_vs_deep"
    lab.save()
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        params={"safety_steps": 6, "seeds": 2},
        status=LabRun.Status.RUNNING,
        dispatches=1,
        active_slot=1,
        step=5,
        total=26,
        metrics={
            "base_asr_plain_request": [[1, 0.58], [14, 0.75]],
            "safety_asr_new_wrappers": [[8, 0.19], [21, 0.2]],
            "sft_loss": [[s, 1.0] for s in range(2, 6)],
        },
    )
    assert [chart["id"] for chart in run_charts(run)["live"]] == ["sft-loss"]
    assert phase_progress(run) == "SFT step 4 of 6"
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "<td>attack success, base model: plain request</td><td>0.75</td>" in text
    assert "after safety training: new wrappers" in text
