"""Result tables on the run page: human column headers, Yes/No, percentages where the
headline speaks in them, sensible rounding, each table in a focusable scroll region."""

import uuid

import pytest

from labs.display import format_cell, result_tables
from labs.models import LabRun
from workers.experiments.sft_shift import TABLE_COLUMNS

SFT_RESULT = {
    "headline": "It refused 96% of covered harmful requests.",
    "series": {},
    "tables": [
        {
            "title": "Gold score and refusal rate by family, base vs SFT",
            "columns": list(TABLE_COLUMNS),  # the engine's own: a renamed column fails here
            "rows": [
                ["harmful", True, -0.412, 0.871, 0.125, 0.958, 0.875, 0.042, 24],
                ["heldout_unlike", False, -0.5, -0.3, 0.0, 0.083, 1.0, 0.917, 12],
            ],
        }
    ],
}


def _finished(lab, user, result, experiment=None) -> LabRun:
    if experiment:
        lab.experiment = experiment
        lab.save()
    return LabRun.objects.create(
        lab=lab,
        user=user,
        submission=uuid.uuid4(),
        params={"steps": 36},
        status=LabRun.Status.SUCCEEDED,
        result=result,
        headline=result["headline"],
    )


def test_the_sft_table_reads_in_words_yes_no_and_percentages(client, student, lab):
    run = _finished(lab, student, SFT_RESULT)
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    for header in ("Covered by the SFT set", "Refused, SFT", "Complied, base", "Gold score, SFT"):
        assert f'<th scope="col">{header}</th>' in text
    assert "covered_by_sft" not in text and "base_compliance" not in text
    assert "<td>Yes</td>" in text and "<td>No</td>" in text
    assert "<td>True</td>" not in text and "<td>False</td>" not in text
    assert "<td>96%</td>" in text and "0.958" not in text  # the headline's 96%
    assert "<td>0.87</td>" in text and "<td>24</td>" in text
    assert "<td>held out: stalking, its own phrasing</td>" in text  # not heldout_unlike


def test_each_result_table_is_a_focusable_labelled_scroll_region(client, student, lab):
    run = _finished(lab, student, SFT_RESULT)
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    region = (
        '<div class="table-scroll" tabindex="0" role="region" '
        'aria-label="Gold score and refusal rate by family, base vs SFT"'
    )
    assert region in text


def test_a_stored_result_of_another_experiment_renders_with_its_own_labels(client, student, lab):
    result = {
        "headline": "Attacks got through.",
        "tables": [
            {
                "title": "Attack success rate by model and attack",
                "columns": ["attack", "prompts", "base", "sft", "rlhf"],
                "rows": [["role-play", 20, 0.9, 0.45, 0.3]],
            }
        ],
    }
    run = _finished(lab, student, result, experiment="surface_vs_deep")
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "After RLHF: attack success" in text and "<td>45%</td>" in text


def test_a_table_may_carry_its_own_labels_and_formats():
    table = {
        "title": "T",
        "columns": ["x_code", "y_code"],
        "labels": ["Share refused", "Loss"],
        "formats": ["percent", "score"],
        "rows": [[0.5, 1.23456]],
    }
    [shown] = result_tables("sft", {"tables": [table]})
    assert shown.headers == ["Share refused", "Loss"] and shown.rows == [["50%", "1.23"]]


def test_an_unknown_column_is_humanized_and_a_malformed_table_is_skipped():
    tables = [
        {"title": "T", "columns": ["kl_coef_extra"], "rows": [[0.123456]]},
        {"title": "no columns"},
        "not a table",
    ]
    [shown] = result_tables("reward_hacking", {"tables": tables})
    assert shown.headers == ["KL coefficient extra"] and shown.rows == [["0.123"]]


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (True, "percent", "Yes"),
        (None, "score", None),
        (0.9583, "percent", "96%"),
        (-0.4123, "score", "-0.41"),
        (23.46, "tokens", "23.5"),
        (24.0, "count", "24"),
        (0.1, "text", "0.1"),
        ("harmful", "percent", "harmful"),
        (12345.6, "number", "12346"),
    ],
)
def test_cells_are_formatted_by_their_column(value, kind, text):
    assert format_cell(value, kind) == text


def test_latest_values_name_metrics_in_words(client, student, lab):
    run = LabRun.objects.create(
        lab=lab,
        user=student,
        submission=uuid.uuid4(),
        status=LabRun.Status.RUNNING,
        dispatches=1,
        active_slot=1,
        step=3,
        total=10,
        metrics={"proxy_reward": [[3, 0.51234]], "kl0.1_gold": [[3, 0.2]]},
    )
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "<td>proxy reward</td><td>0.512</td>" in text
    assert "<td>gold score, KL coef 0.1</td>" in text and "proxy_reward</td>" not in text


def test_the_runs_parameters_read_as_the_forms_labels(client, student, lab):
    run = _finished(lab, student, SFT_RESULT)
    run.params = {"steps": 36, "lr": 0.001, "samples_per_prompt": 2}
    run.save()
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "Parameters: Steps 36, Learning rate 0.001, Samples per prompt 2" in text
    assert "samples_per_prompt=" not in text


def test_the_runs_parameters_keep_the_forms_order_whatever_order_they_were_stored_in(
    client, student, lab
):
    run = _finished(lab, student, SFT_RESULT)
    run.params = {"samples_per_prompt": 2, "lr": 0.001, "steps": 36}
    run.save()
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "Parameters: Steps 36, Learning rate 0.001, Samples per prompt 2" in text
