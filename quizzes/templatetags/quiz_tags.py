import re
from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from course.markdown import render_markdown
from quizzes.question_text import BLANK
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


# A missing word ("Grant is _____ in Grant's tomb.", as GIFT and Moodle write it) is drawn
# as a blank: swapped for a token Markdown leaves alone, then for the blank's own markup
# after the sanitiser has run (so the markup is ours, never the author's).
_BLANK = re.compile(r"(?<![\\_])" + re.escape(BLANK) + r"(?!_)")
_TOKEN = "zqblankzq"  # nosec B105  # a placeholder in text, not a password
_BLANK_HTML = '<span class="blank" role="img" aria-label="blank">_____</span>'


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    if _TOKEN in text:  # an author typing the token gets it as text, not a blank
        return render_markdown(text)
    html = render_markdown(_BLANK.sub(_TOKEN, text))
    return html.replace(_TOKEN, _BLANK_HTML)


@register.filter
def prose(text: str) -> str:
    """Question text as Markdown, sanitised by the lesson renderer (nh3), a missing word
    drawn as a blank; cached by text."""
    return mark_safe(_render(text or ""))  # noqa: S308 - render_markdown sanitises with nh3  # nosec B308, B703
