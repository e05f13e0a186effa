from django import template

from cohorts.selectors import due_dates_for_student
from course.access import can_author
from labs.coursework import LABS
from labs.models import LabRun, PreferencePair
from labs.selectors import labs_for_user, labs_in_course_order, lesson_labs_for_user

register = template.Library()


@register.inclusion_tag("labs/partials/lesson_labs.html", takes_context=True)
def lesson_labs(context, lesson) -> dict:
    """The labs that practise this lesson's concept (one query); the lesson page has
    already checked that the user may see the lesson."""
    user = context["request"].user
    return {
        "labs": lesson_labs_for_user(user, lesson),
        "course": lesson.course,
    }


@register.inclusion_tag("labs/partials/course_labs.html", takes_context=True)
def course_labs(context, course) -> dict:
    """The course's labs and the class labelling task, for the course page (two queries)."""
    user = context["request"].user
    return {
        "labs": list(labs_in_course_order(user, course)),
        "course": course,
        "has_pairs": PreferencePair.objects.filter(course=course).exists(),
        "is_author": can_author(user),
    }


@register.inclusion_tag("labs/partials/lab_results.html", takes_context=True)
def lab_results(context, course) -> dict:
    """The student's labs on their grades page: the runs they handed in (any run that did
    not fail or get cancelled), the latest first, with the date that applied (three queries)."""
    user = context["request"].user
    due = due_dates_for_student(user, course.pk)
    labs = list(labs_for_user(user, course))
    runs: dict[int, list[LabRun]] = {}
    handed_in = (
        LABS.handed_in().filter(user=user, lab__in=labs).defer("result", "metrics", "samples")
    )
    for run in handed_in.order_by("-created_at"):
        runs.setdefault(run.lab_id, []).append(run)
    rows = []
    for lab in labs:
        due_at = due.get(("lab", lab.pk))
        mine = runs.get(lab.pk, [])
        late = bool(due_at and mine and min(run.created_at for run in mine) > due_at)
        rows.append({"lab": lab, "runs": mine, "due_at": due_at, "late": late})
    return {"rows": rows, "course": course}
