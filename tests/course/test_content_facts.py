"""Claims the course's own text once got wrong stay right (issue 18's content review)."""

from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2] / "content" / "alignment-training"


def _texts() -> dict[str, str]:
    return {
        str(path.relative_to(COURSE)): path.read_text(encoding="utf-8")
        for path in sorted(COURSE.rglob("*"))
        if path.suffix in (".md", ".yaml")
    }


@pytest.mark.parametrize(
    "wrong",
    [
        "caps how much one update",
        "limit how much any single update can change",
        "clipping would cap",
        "stops\n  any one update from moving",
    ],
)
def test_clipping_is_never_described_as_a_cap_on_the_update(wrong):
    assert [name for name, text in _texts().items() if wrong in text] == []


def test_the_instructgpt_comparison_names_the_model_it_was_fine_tuned_from():
    text = _texts()["lessons/sft-teaches-access.md"]
    assert "base model it was derived from" not in text
    assert "fine-tuned with SFT and RLHF from the 1.3-billion-parameter GPT-3" in text
