from django.http import HttpRequest
from django.utils import timezone

from course.selectors import due_count_everywhere


def review_badge(request: HttpRequest) -> dict:
    """The number of flashcards due now, for the navigation's Review badge (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"cards_due": lambda: due_count_everywhere(user, timezone.now())}
