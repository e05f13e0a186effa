from django.http import HttpRequest
from django.utils import timezone

from course.selectors import due_badge_count


def review_badge(request: HttpRequest) -> dict:
    """The number of flashcards due now, for the navigation's Review badge (one query, or
    none while a shared cache holds it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"cards_due": lambda: due_badge_count(user, timezone.now())}
