from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from course import selectors, services, srs
from course.access import can_author, courses_for_user, get_course_for_user
from course.markdown import render_markdown
from course.models import Course, Flashcard, FlashcardReviewState, Lesson
from course.page_cache import keep_page, kept_page, page_key


def _get_flashcard_for_user(
    user: AbstractBaseUser, course_slug: str, key: str, *, write: bool = False
) -> Flashcard:
    course = get_course_for_user(user, course_slug, write=write)
    cards = selectors.visible_flashcards(user, course).select_related("lesson")
    card = get_object_or_404(cards, key=key)
    card.course = course  # with its read_only annotation
    return card


def _get_lesson_for_user(
    user: AbstractBaseUser, course_slug: str, lesson_slug: str, *, write: bool = False
) -> Lesson:
    course = get_course_for_user(user, course_slug, write=write)
    lessons = selectors.lessons_for_user(user, course).select_related("module")
    lesson = get_object_or_404(lessons, slug=lesson_slug)
    lesson.course = course  # with its read_only annotation
    return lesson


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages without a <link rel=icon> (the
    admin's, a PDF, a raw JSON view): the site's SVG icon among the static files."""
    return redirect(static("favicon.svg"))


@require_GET
@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    lesson_filter = Q(lessons__archived=False, lessons__module__archived=False)
    if not can_author(request.user):
        lesson_filter &= Q(lessons__published=True, lessons__module__published=True)
    courses = courses_for_user(request.user).annotate(
        lesson_count=Count("lessons", filter=lesson_filter, distinct=True),
        completed_count=Count(
            "lessons__progress",
            filter=lesson_filter
            & Q(
                lessons__progress__user=request.user, lessons__progress__completed_at__isnull=False
            ),
            distinct=True,
        ),
    )
    rows = [
        (course, selectors.CourseProgress(course.lesson_count, course.completed_count))
        for course in courses
    ]
    return render(request, "course/catalog.html", {"rows": rows})


@require_GET
@login_required
def course_detail(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = get_course_for_user(request.user, course_slug)
    modules = list(selectors.modules_for_user(request.user, course))
    lessons = list(selectors.lessons_for_user(request.user, course))
    progress = selectors.progress_by_lesson(request.user, [lesson.pk for lesson in lessons])
    by_module: dict[int, list] = {module.pk: [] for module in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append((lesson, progress.get(lesson.pk)))
    completed = sum(1 for row in progress.values() if row.completed)
    resume = selectors.lesson_to_resume(lessons, progress)
    return render(
        request,
        "course/course_detail.html",
        {
            "course": course,
            "modules": [(module, by_module[module.pk]) for module in modules],
            "progress": selectors.CourseProgress(len(lessons), completed),
            "resume": resume,
            "started": bool(progress),
            "card_stats": selectors.flashcard_stats(request.user, course, timezone.now()),
        },
    )


@require_GET
@login_required
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    course = get_course_for_user(request.user, course_slug)
    key = page_key(
        request,
        "lesson",
        lesson_slug,
        course.pk,
        course.updated_at.isoformat(),
        course.read_only,
        can_author(request.user),
    )
    if (kept := kept_page(key)) is not None:
        return kept  # the view was recorded when it was rendered, under a minute ago
    # The visible lessons in reading order (for the pager) say whether this one is visible;
    # the lesson itself is then read by its key, without the visibility filter again.
    order = selectors.lesson_order(request.user, course)
    position = next((i for i, row in enumerate(order) if row["slug"] == lesson_slug), None)
    if position is None:
        raise Http404("No such lesson.")
    lesson = get_object_or_404(Lesson.objects.select_related("module"), pk=order[position]["pk"])
    lesson.course = course  # with its read_only annotation
    if not lesson.body_html_is_current:
        services.lesson_render_body(lesson=lesson)
    progress = services.lesson_record_view(user=request.user, lesson=lesson)
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "progress": progress,
        "previous": order[position - 1] if position > 0 else None,
        "next": order[position + 1] if position + 1 < len(order) else None,
        "position": position + 1,
        "lesson_count": len(order),
        # Its own cards in their order: the model's ordering by lesson would join three tables.
        "deck": _deck(
            request, list(lesson.flashcards.filter(archived=False).order_by("order", "id"))
        ),
    }
    return keep_page(key, render(request, "course/lesson.html", context))


@require_POST
@login_required
def lesson_complete(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _get_lesson_for_user(request.user, course_slug, lesson_slug, write=True)
    complete = request.POST.get("complete", "1") != "0"
    progress = services.lesson_set_complete(user=request.user, lesson=lesson, complete=complete)
    if request.htmx:
        context = {"lesson": lesson, "course": lesson.course, "progress": progress}
        return render(request, "course/lesson.html#completion", context)
    return redirect(lesson)


@require_POST
@login_required
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """Render Markdown exactly as a lesson page would, for the admin's live preview."""
    if not can_author(request.user):
        raise Http404
    source = request.POST.get("markdown", "")
    if len(source) > 200_000:
        return JsonResponse({"error": "The lesson is longer than 200,000 characters."}, status=400)
    return JsonResponse({"html": render_markdown(source)})


@dataclass
class DeckItem:
    """A flashcard as the deck partial shows it to one student."""

    card: Flashcard
    state: FlashcardReviewState | None
    revealed: bool
    previews: dict[int, str]
    source: str  # "lesson" or "review": where a rating returns to
    just_rated: bool = False
    now: datetime | None = None

    @property
    def next_review(self) -> str:
        """When the card comes back, in the words its rating button used: measured from
        the rating itself just after one, from now otherwise ('' once due)."""
        if self.state is None:
            return ""
        since = self.state.last_reviewed_at if self.just_rated else self.now
        if since is None or self.state.due <= since:
            return ""
        return srs.humanise_interval(self.state.due - since)

    @property
    def sequence(self) -> int:
        return self.state.review_count if self.state else 0

    @property
    def ratings(self) -> list[tuple[int, str, str]]:
        return [(value, label, self.previews[value]) for value, label in srs.RATINGS]


def _deck_item(
    card,
    state,
    *,
    revealed: bool,
    source: str,
    just_rated: bool = False,
    now: datetime | None = None,
    new_previews: dict[int, str] | None = None,
) -> DeckItem:
    now = now or timezone.now()
    if state is None:
        previews = new_previews or srs.interval_previews(srs.new_card(now), now)
    else:
        previews = srs.interval_previews(state.fsrs_card, now)
    return DeckItem(card, state, revealed, previews, source, just_rated, now)


def _deck(request: HttpRequest, cards: list[Flashcard]) -> list[DeckItem]:
    """The lesson's cards as one student sees them, all at one `now`. A card never rated
    schedules the same whatever card it is (the scheduler has no fuzzing), so its four
    previews are computed once per page, not once per card (4 scheduler runs each)."""
    states = selectors.card_states(request.user, cards)
    reveal = request.GET.get("reveal")
    now = timezone.now()
    new_previews = None
    if any(card.pk not in states for card in cards):
        new_previews = srs.interval_previews(srs.new_card(now), now)
    return [
        _deck_item(
            card,
            states.get(card.pk),
            revealed=card.key == reveal,
            source="lesson",
            now=now,
            new_previews=new_previews,
        )
        for card in cards
    ]


@require_POST
@login_required
def flashcard_rate(request: HttpRequest, course_slug: str, key: str) -> HttpResponse:
    card = _get_flashcard_for_user(request.user, course_slug, key, write=True)
    source = "review" if request.POST.get("source") == "review" else "lesson"
    try:
        rating = int(request.POST.get("rating", ""))
        sequence = int(request.POST.get("sequence", ""))
        if rating not in (1, 2, 3, 4) or sequence < 0:
            raise ValueError
    except ValueError:
        return HttpResponse(
            "Choose Again, Hard, Good or Easy to rate this card.",
            status=400,
            content_type="text/plain",
        )
    result = services.flashcard_rate(
        user=request.user, flashcard=card, rating=rating, sequence=sequence
    )
    if source == "review":
        if request.htmx:
            return _render_review(request, card.course, partial=True)
        return redirect("course:review", card.course.slug)
    if request.htmx:
        item = _deck_item(card, result.state, revealed=False, source="lesson", just_rated=True)
        return render(
            request, "course/partials/flashcard.html", {"item": item, "course": card.course}
        )
    return redirect(
        reverse("course:lesson", args=[card.course.slug, card.lesson.slug]) + f"#card-{card.key}"
    )


@require_GET
@login_required
def review(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = get_course_for_user(request.user, course_slug)
    return _render_review(request, course, partial=bool(request.htmx))


def _render_review(request: HttpRequest, course: Course, *, partial: bool) -> HttpResponse:
    now = timezone.now()
    due = selectors.due_cards(request.user, course, now, limit=1)
    if due:
        item = _deck_item(
            due[0].flashcard, due[0], revealed=request.GET.get("reveal") == "1", source="review"
        )
    else:
        fresh = selectors.new_cards(request.user, course, limit=1)
        item = (
            _deck_item(fresh[0], None, revealed=request.GET.get("reveal") == "1", source="review")
            if fresh
            else None
        )
    context = {
        "course": course,
        "item": item,
        "due_count": selectors.due_count(request.user, course, now),
        "next_due": None if item else selectors.next_due_at(request.user, course),
    }
    if context["next_due"] and context["next_due"] > now:
        context["next_due_in"] = srs.humanise_interval(context["next_due"] - now)
    template = "course/review.html#review-area" if partial else "course/review.html"
    return render(request, template, context)


@require_GET
@login_required
def review_index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    courses = list(courses_for_user(request.user))
    rows = [(course, selectors.due_count(request.user, course, now)) for course in courses]
    if len(rows) == 1:
        return redirect("course:review", rows[0][0].slug)
    return render(request, "course/review_index.html", {"rows": rows})
