from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from course.markdown import render_markdown
from quizzes.selectors import course_quizzes_for_user, lesson_quizzes_for_user

register = template.Library()


@register.inclusion_tag("quizzes/partials/lesson_quizzes.html", takes_context=True)
def lesson_quizzes(context, lesson) -> dict:
    """The lesson's quizzes and exercises, with links (one query)."""
    user = context["request"].user
    return {"quizzes": lesson_quizzes_for_user(user, lesson), "lesson": lesson}


@register.inclusion_tag("quizzes/partials/course_quizzes.html", takes_context=True)
def course_quizzes(context, course) -> dict:
    """Every quiz and exercise the user may see in the course (one query)."""

    user = context["request"].user
    return {"quizzes": course_quizzes_for_user(user, course), "course": course}


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    return render_markdown(text)


@register.filter
def prose(text: str) -> str:
    """Question text as Markdown, sanitised by the lesson renderer (nh3); cached by text."""
    return mark_safe(_render(text or ""))  # noqa: S308 - render_markdown sanitises with nh3
