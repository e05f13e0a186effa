from django import template

from course.access import can_author
from labs.models import PreferencePair
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


@register.inclusion_tag("labs/partials/course_labs.html", takes_context=True)
def course_labs(context, course) -> dict:
    """The course's labs and the class labelling task, for the course page (two queries)."""
    user = context["request"].user
    return {
        "labs": list(labs_for_user(user, course).select_related("lesson")),
        "course": course,
        "has_pairs": PreferencePair.objects.filter(course=course).exists(),
        "is_author": can_author(user),
    }
