"""A due date names its item generically (content type and id) instead of holding a
foreign key to quizzes.Quiz and one to labs.Lab: cohorts sits below those apps. Every
existing date is kept, for the same quiz or lab."""

import django.db.models.deletion
from django.db import migrations, models


def _content_types(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    quiz, _ = content_type.objects.get_or_create(app_label="quizzes", model="quiz")
    lab, _ = content_type.objects.get_or_create(app_label="labs", model="lab")
    return quiz, lab


def forwards(apps, schema_editor):
    due_date = apps.get_model("cohorts", "DueDate")
    quiz, lab = _content_types(apps)
    for due in due_date.objects.all():
        if due.quiz_id:
            due.content_type_id, due.object_id = quiz.pk, due.quiz_id
        else:
            due.content_type_id, due.object_id = lab.pk, due.lab_id
        due.save(update_fields=["content_type", "object_id"])


def backwards(apps, schema_editor):
    due_date = apps.get_model("cohorts", "DueDate")
    quiz, lab = _content_types(apps)
    for due in due_date.objects.all():
        if due.content_type_id == quiz.pk:
            due.quiz_id = due.object_id
        elif due.content_type_id == lab.pk:
            due.lab_id = due.object_id
        due.save(update_fields=["quiz", "lab"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_courseclass_lab_queue"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="duedate",
            name="content_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="duedate",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="duedate", name="due_date_for_a_quiz_or_a_lab"),
        migrations.RemoveConstraint(model_name="duedate", name="one_due_date_per_quiz_in_class"),
        migrations.RemoveConstraint(model_name="duedate", name="one_due_date_per_lab_in_class"),
        # Undone, the old fields are back (empty) before their constraints: fill them first.
        migrations.RunPython(migrations.RunPython.noop, backwards),
        migrations.RemoveField(model_name="duedate", name="quiz"),
        migrations.RemoveField(model_name="duedate", name="lab"),
        migrations.AlterField(
            model_name="duedate",
            name="content_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="duedate",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="duedate",
            constraint=models.UniqueConstraint(
                fields=("course_class", "content_type", "object_id"),
                name="one_due_date_per_item_in_class",
            ),
        ),
    ]
