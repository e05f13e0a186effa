"""The bundle's labs/ folder: read, refused with file and line, imported, exported."""

from pathlib import Path

import pytest
from django.core.management import call_command

from course.bundle import BundleError, read_bundle, write_bundle
from labs.models import Lab
from tests.factories import make_bundle

LAB = """title: SFT lab
experiment: sft
lesson: m1-lesson-1
queue: cpu
limits:
  steps:
    max: 40
introduction: |
  Try **it**.
"""


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    directory = write_bundle(make_bundle(), tmp_path / "bundle")
    (directory / "labs").mkdir()
    (directory / "labs" / "sft-lab.yaml").write_text(LAB)
    return directory


def _refusal(directory: Path) -> str:
    with pytest.raises(BundleError) as caught:
        read_bundle(directory)
    return str(caught.value)


def test_a_lab_is_loaded_with_its_lesson_limits_and_rendered_introduction(db, bundle_dir):
    call_command("load_course", str(bundle_dir))
    lab = Lab.objects.get(slug="sft-lab")
    assert lab.lesson.slug == "m1-lesson-1" and lab.limits == {"steps": {"max": 40}}
    assert "<strong>it</strong>" in lab.introduction_html


def test_load_export_load_keeps_labs(db, bundle_dir, tmp_path):
    call_command("load_course", str(bundle_dir))
    call_command("export_course", "demo-course", str(tmp_path / "out"))
    assert read_bundle(tmp_path / "out") == read_bundle(bundle_dir)


def test_an_unknown_experiment_is_refused_with_its_line(bundle_dir):
    path = bundle_dir / "labs" / "sft-lab.yaml"
    path.write_text(LAB.replace("experiment: sft", "experiment: magic"))
    assert "sft-lab.yaml:2: lab 'sft-lab': unknown experiment 'magic'" in _refusal(bundle_dir)


def test_a_lesson_that_does_not_exist_is_refused(bundle_dir):
    path = bundle_dir / "labs" / "sft-lab.yaml"
    path.write_text(LAB.replace("lesson: m1-lesson-1", "lesson: nowhere"))
    assert "sft-lab.yaml:3: lab 'sft-lab': no lesson 'nowhere'" in _refusal(bundle_dir)


def test_limits_the_engine_does_not_know_are_refused(bundle_dir):
    path = bundle_dir / "labs" / "sft-lab.yaml"
    path.write_text(LAB.replace("  steps:\n    max: 40", "  dataset:\n    max: 1"))
    assert "no parameter 'dataset' a student can set" in _refusal(bundle_dir)


def test_a_lab_removed_from_the_bundle_is_archived_with_its_runs(db, bundle_dir):
    call_command("load_course", str(bundle_dir))
    (bundle_dir / "labs" / "sft-lab.yaml").unlink()
    call_command("load_course", str(bundle_dir))
    assert Lab.objects.get(slug="sft-lab").archived
