"""Lessons store the render_key of their body_html; every lesson is rendered again here
with the current renderer, so its HTML and key agree from the start. (A row whose key
still differs later, say after a renderer change, is rendered again when next viewed.)"""

from django.db import migrations, models

from course.markdown import render_key, render_markdown


def render_every_lesson(apps, schema_editor):
    Lesson = apps.get_model("course", "Lesson")
    rows = Lesson.objects.only("pk", "body_markdown", "body_html", "body_html_key")
    changed = []
    for lesson in rows.iterator(chunk_size=500):
        key = render_key(lesson.body_markdown)
        if lesson.body_html_key != key:
            lesson.body_html = render_markdown(lesson.body_markdown)
            lesson.body_html_key = key
            changed.append(lesson)
    Lesson.objects.bulk_update(changed, ["body_html", "body_html_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("course", "0003_lesson_body_html_fill")]

    operations = [
        migrations.AddField(
            model_name="lesson",
            name="body_html_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="render_key of body_html's source.",
                max_length=64,
            ),
        ),
        migrations.RunPython(render_every_lesson, migrations.RunPython.noop),
    ]
