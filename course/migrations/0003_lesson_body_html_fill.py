"""Render every lesson's stored HTML again from its Markdown, so a row that was written
without it (or by an older renderer or sanitiser) reads as the lesson page expects. Lesson
pages only ever read `body_html`; the admin and load_course write it on every save."""

from django.db import migrations

from course.markdown import render_markdown


def fill_body_html(apps, schema_editor):
    Lesson = apps.get_model("course", "Lesson")
    stale = []
    for lesson in Lesson.objects.only("pk", "body_markdown", "body_html").iterator(chunk_size=500):
        html = render_markdown(lesson.body_markdown)
        if lesson.body_html != html:
            lesson.body_html = html
            stale.append(lesson)
    Lesson.objects.bulk_update(stale, ["body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("course", "0002_flashcard_review")]

    operations = [migrations.RunPython(fill_body_html, migrations.RunPython.noop)]
