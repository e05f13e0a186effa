"""Due dates as students read them: the date in a <time> element and how far off it is,
and the student's Due list on the course page (the course page knows nothing of classes:
its template asks here)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from cohorts.selectors import due_items_for_student

register = template.Library()


def relative_time(when: datetime, now: datetime) -> str:
    """ "in 3 days", "2 hours ago", or "now" within a minute (the largest unit only)."""
    if abs(when - now) < timedelta(minutes=1):
        return "now"
    if when > now:
        return f"in {timeuntil(when, now, depth=1)}"
    return f"{timesince(when, now, depth=1)} ago"


@register.inclusion_tag("cohorts/partials/due_time.html")
def due_time(when: datetime) -> dict:
    """`when` as an absolute date in a <time datetime> element, then relative to now."""
    return {"when": when, "relative": relative_time(when, timezone.now())}


@register.inclusion_tag("cohorts/partials/due_list.html", takes_context=True)
def due_list(context, course) -> dict:
    """The student's quizzes and labs with a due date, soonest first (one query)."""
    return {"due_items": due_items_for_student(context["request"].user, course)}
