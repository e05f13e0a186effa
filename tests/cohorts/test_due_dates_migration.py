"""Migration 0004 moves every due date from its quiz or lab foreign key to a generic item,
and back: no date is lost either way."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cohorts", "0003_courseclass_lab_queue")]
AFTER = [("cohorts", "0004_due_dates_for_any_course_work")]
WHEN = datetime(2027, 3, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_rows(apps):
    course = apps.get_model("course", "Course").objects.create(slug="c", title="C")
    course_class = apps.get_model("cohorts", "CourseClass").objects.create(
        course=course, name="Spring", join_code="MIGRATE1"
    )
    quiz = apps.get_model("quizzes", "Quiz").objects.create(course=course, key="q", title="Q")
    lab = apps.get_model("labs", "Lab").objects.create(
        course=course, slug="l", title="L", experiment="sft"
    )
    due_date = apps.get_model("cohorts", "DueDate")
    due_date.objects.create(course_class=course_class, quiz=quiz, due_at=WHEN)
    due_date.objects.create(course_class=course_class, lab=lab, due_at=WHEN)
    return quiz.pk, lab.pk


def test_every_date_keeps_its_quiz_or_lab_forwards_and_backwards():
    try:
        old = _migrate(BEFORE)
        quiz_id, lab_id = _old_rows(old)
        new = _migrate(AFTER)
        rows = new.get_model("cohorts", "DueDate").objects.values_list(
            "content_type__model", "object_id", "due_at"
        )
        assert sorted(rows) == [("lab", lab_id, WHEN), ("quiz", quiz_id, WHEN)]
        old = _migrate(BEFORE)
        rows = old.get_model("cohorts", "DueDate").objects.values_list("quiz_id", "lab_id")
        assert sorted(rows, key=str) == sorted([(quiz_id, None), (None, lab_id)], key=str)
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
