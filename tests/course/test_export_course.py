"""export_course writes the bundle format back; load -> export -> load is lossless."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.bundle import read_bundle
from course.models import Lesson
from course.services import course_import_bundle
from tests.factories import make_bundle

CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"
pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    return list(
        Lesson.objects.order_by("slug").values_list(
            "slug",
            "title",
            "summary",
            "minutes",
            "published",
            "order",
            "module__slug",
            "body_markdown",
            "body_html",
        )
    )


def test_load_export_load_of_the_shipped_course_is_lossless(tmp_path, capsys):
    call_command("load_course", str(CONTENT))
    first = _snapshot()
    call_command("export_course", "alignment-training", str(tmp_path / "out"))
    assert read_bundle(tmp_path / "out") == read_bundle(CONTENT)
    call_command("load_course", str(tmp_path / "out"))
    assert _snapshot() == first
    assert "updated 0 modules, 0 lessons, 0 cards" in capsys.readouterr().out


def test_drafts_and_multiline_text_survive_the_round_trip(tmp_path):
    bundle = make_bundle(published=False)
    bundle.modules[0].published = False
    bundle.modules[0].lessons[0].published = False
    bundle.modules[0].lessons[0].flashcards[0].back = "Line one: with a colon\n\nLine two #"
    bundle.summary = "Quotes ' and \" and: colons"
    course_import_bundle(bundle=bundle)
    call_command("export_course", bundle.slug, str(tmp_path / "out"))
    assert read_bundle(tmp_path / "out") == bundle


def test_it_refuses_to_overwrite_a_non_empty_directory_without_replace(tmp_path, course):
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_course", course.slug, str(target))
    assert (target / "notes.txt").read_text() == "mine"
    call_command("export_course", course.slug, str(target), "--replace")
    assert not (target / "notes.txt").exists() and (target / "course.yaml").exists()


def test_it_names_the_known_courses_when_the_slug_is_unknown(course):
    with pytest.raises(CommandError, match="no course with slug 'nope' \\(known: demo-course\\)"):
        call_command("export_course", "nope", "/tmp/unused")
