"""A lab's form: the engine's parameters narrowed by the instructor's settings."""

import pytest

from labs.parameters import check_lab_config, lab_params, validate
from workers import LabInputError


def test_students_never_see_path_parameters():
    names = [param.name for param in lab_params("sft", {}, {})]
    assert "dataset" not in names and "steps" in names


def test_instructor_limits_narrow_the_engines_and_defaults_replace_its():
    steps = next(
        p for p in lab_params("sft", {"steps": 20}, {"steps": {"max": 50}}) if p.name == "steps"
    )
    assert (steps.min, steps.max, steps.default) == (1, 50, 20)


def test_an_instructor_limit_never_widens_the_engines():
    steps = next(p for p in lab_params("sft", {}, {"steps": {"max": 10_000}}) if p.name == "steps")
    assert steps.max == 400


def test_it_fills_defaults_and_coerces_text_from_the_form():
    params = validate("sft", {"steps": "12", "lr": "0.002", "seed": ""}, {}, {})
    assert params["steps"] == 12 and params["lr"] == 0.002 and params["seed"] == 0
    assert params["dataset"] == ""


@pytest.mark.parametrize(
    ("submitted", "message"),
    [
        ({"steps": "60"}, "steps must be at most 50 in this lab"),
        ({"steps": "0"}, "steps must be at least 1 in this lab"),
        ({"steps": "many"}, "steps must be a whole number, not 'many'"),
        ({"steps": "2.5"}, "steps must be a whole number"),
        ({"lr": "nan"}, "lr must be a finite number"),
    ],
)
def test_out_of_range_or_malformed_values_are_refused_by_name(submitted, message):
    with pytest.raises(LabInputError, match=message):
        validate("sft", submitted, {}, {"steps": {"max": 50}})


def test_a_student_cannot_smuggle_a_dataset_path():
    params = validate("sft", {"dataset": "/etc/passwd"}, {}, {})
    assert params["dataset"] == ""


@pytest.mark.parametrize(
    ("defaults", "limits", "message"),
    [
        ({"nope": 1}, {}, "no parameter 'nope'"),
        ({}, {"dataset": {"max": 1}}, "no parameter"),
        ({}, {"steps": 5}, "must look like"),
        ({"steps": 1000}, {}, "at most 400"),
    ],
)
def test_an_instructors_lab_config_is_checked(defaults, limits, message):
    with pytest.raises(LabInputError, match=message):
        check_lab_config("sft", defaults, limits)


def test_labels_keep_acronyms_and_spell_out_abbreviations():
    from labs.parameters import LabParam
    from workers.experiments import Param

    def label(name):
        return LabParam(Param(name, "float", 0, ""), 0).label

    assert label("kl_coef") == "KL coefficient"
    assert label("dpo_lr") == "DPO learning rate"
    assert label("compare_without_kl") == "Compare without KL"
    assert label("samples_per_prompt") == "Samples per prompt"
    assert label("sft_steps") == "SFT steps"
    assert label("kl0.3_proxy_reward") == "KL 0.3 proxy reward"


@pytest.mark.parametrize("value", ["many", "2.5", "nan", "0", "100000"])
def test_the_form_and_the_engine_refuse_a_value_in_the_same_words(value):
    from workers.experiments import validate_params

    with pytest.raises(LabInputError) as form:
        validate("sft", {"steps": value}, {}, {})
    with pytest.raises(LabInputError) as engine:
        validate_params("sft", {"steps": value})
    assert str(form.value) == str(engine.value)


def test_the_stored_parameters_pass_the_workers_validation_unchanged():
    from workers.experiments import validate_params

    stored = validate("sft", {"steps": "12", "lr": "0.002"}, {"seed": 3}, {"steps": {"max": 50}})
    assert validate_params("sft", stored) == stored and stored["seed"] == 3
