from django import template

from quizzes.selectors import lesson_quizzes_for_user

register = template.Library()


@register.inclusion_tag("quizzes/partials/lesson_quizzes.html", takes_context=True)
def lesson_quizzes(context, lesson) -> dict:
    """The lesson's quizzes and exercises, with links (one query)."""
    user = context["request"].user
    return {"quizzes": lesson_quizzes_for_user(user, lesson), "lesson": lesson}


@register.inclusion_tag("quizzes/partials/course_quizzes.html", takes_context=True)
def course_quizzes(context, course) -> dict:
    """Every quiz and exercise the user may see in the course (one query)."""
    from quizzes.selectors import course_quizzes_for_user

    user = context["request"].user
    return {"quizzes": course_quizzes_for_user(user, course), "course": course}
