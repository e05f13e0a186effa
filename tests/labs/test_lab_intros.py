"""Lab introductions name the form's fields by the labels the form shows ("KL coefficient"),
not by the engine's parameter names (`kl_coef`)."""

import re
from pathlib import Path

import pytest
import yaml

from labs.parameters import lab_params

LABS = Path(__file__).resolve().parents[2] / "content" / "alignment-training" / "labs"
CHECKED = (
    "sft-shifts-behaviour",
    "surface-versus-deep",
    "reward-hacking",
    "dpo-versus-ppo",
    "rlhf-with-ppo",
    "rlhf-generalises",
    "the-dosage-trade-off",
)


def _lab(name: str) -> dict:
    return yaml.safe_load((LABS / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CHECKED)
def test_the_introduction_uses_no_parameter_code_names(name):
    lab = _lab(name)
    params = lab_params(lab["experiment"], lab.get("defaults") or {}, lab.get("limits") or {})
    intro = lab["introduction"]
    for param in params:
        assert f"`{param.name}`" not in intro, f"{name}: `{param.name}` instead of its label"
    assert "R^2" not in intro


@pytest.mark.parametrize("name", CHECKED)
def test_every_field_the_introduction_names_is_a_label_of_the_form(name):
    lab = _lab(name)
    labels = {p.label for p in lab_params(lab["experiment"], {}, {})}
    named = set(re.findall(r"\*\*([^*]+)\*\*", lab["introduction"]))
    fields = {text for text in named if text.lower() in {label.lower() for label in labels}}
    assert fields, f"{name}: the introduction suggests no field to try"
    assert fields <= labels, f"{name}: {fields - labels} differ from the form's labels"


@pytest.mark.parametrize("name", CHECKED)
def test_every_field_its_try_paragraph_suggests_is_on_the_form(name):
    """'Try: fewer **RL steps**' must name a field the form still has, spelt as it shows."""
    lab = _lab(name)
    labels = {p.label for p in lab_params(lab["experiment"], {}, {})}
    paragraphs = [p for p in lab["introduction"].split("\n\n") if p.lstrip().startswith("Try")]
    assert paragraphs, f"{name}: no 'Try:' paragraph"
    suggested = set(re.findall(r"\*\*([^*]+)\*\*", " ".join(paragraphs)))
    assert suggested and suggested <= labels, f"{name}: {suggested - labels} not on the form"
