from django import template

from labs.selectors import labs_for_user

register = template.Library()


@register.inclusion_tag("labs/partials/lesson_labs.html", takes_context=True)
def lesson_labs(context, lesson) -> dict:
    """The labs that practise this lesson's concept (one query)."""
    user = context["request"].user
    return {
        "labs": list(labs_for_user(user, lesson.course).filter(lesson=lesson)),
        "course": lesson.course,
    }
