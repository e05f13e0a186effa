"""Reads of the course's content for one user (the access rule itself is course.access),
and the course as a bundle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)

from course.access import can_author, in_a_class_of
from course.bundle import (
    SECTIONS,
    Bundle,
    BundleFlashcard,
    BundleLesson,
    BundleModule,
    normalise_body,
)
from course.models import (
    CardState,
    Course,
    Flashcard,
    FlashcardReview,
    FlashcardReviewState,
    Lesson,
    LessonProgress,
    Module,
)

# Course work attached to a lesson (a quiz, a lab) in the order a student meets it: its
# lesson's place in the course (module, then lesson), then its own order field; work with
# no lesson comes last.
IN_COURSE_ORDER = (
    F("lesson__module__order").asc(nulls_last=True),
    F("lesson__order").asc(nulls_last=True),
    "order",
    "id",
)


def lessons_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Lesson]:
    """The course's visible lessons in reading order (module order, then lesson order)."""
    lessons = Lesson.objects.filter(course=course, archived=False, module__archived=False)
    if not can_author(user):
        lessons = lessons.filter(published=True, module__published=True)
    return lessons.order_by("module__order", "order", "id")


def lesson_order(user: AbstractBaseUser, course: Course) -> list[dict]:
    """lessons_for_user's rows as {pk, slug, title}, cached per course and audience.

    The key carries the course's updated_at, which any save or delete of one of its
    lessons or modules moves on (course.models.course_structure_changed), and the course
    row is read fresh on every request, so a cached order is never served after an edit,
    in this process or another, whatever the cache backend."""
    audience = "authors" if can_author(user) else "students"
    key = f"course:{course.pk}:lesson-order:{audience}:{course.updated_at.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = list(lessons_for_user(user, course).values("pk", "slug", "title"))
        cache.set(key, rows, timeout=24 * 3600)
    return rows


def modules_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Module]:
    modules = Module.objects.filter(course=course, archived=False)
    if not can_author(user):
        modules = modules.filter(published=True)
    return modules.order_by("order", "id")


@dataclass
class CourseProgress:
    total: int
    completed: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def progress_by_lesson(user: AbstractBaseUser, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    rows = LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids)
    return {row.lesson_id: row for row in rows}


def bundle_from_course(course: Course) -> Bundle:
    """The course as a Bundle, for export; archived content is left out."""
    cards_by_lesson: dict[int, list[BundleFlashcard]] = {}
    for card in Flashcard.objects.filter(course=course, archived=False).order_by("order", "id"):
        cards_by_lesson.setdefault(card.lesson_id, []).append(
            BundleFlashcard(key=card.key, front=card.front, back=card.back)
        )
    lessons_by_module: dict[int, list[BundleLesson]] = {}
    for lesson in Lesson.objects.filter(course=course, archived=False).order_by("order", "id"):
        lessons_by_module.setdefault(lesson.module_id, []).append(
            BundleLesson(
                slug=lesson.slug,
                title=lesson.title,
                summary=lesson.summary,
                minutes=lesson.minutes,
                body=normalise_body(lesson.body_markdown),
                published=lesson.published,
                flashcards=cards_by_lesson.get(lesson.pk, []),
            )
        )
    modules = [
        BundleModule(
            slug=module.slug,
            title=module.title,
            summary=module.summary,
            published=module.published,
            lessons=lessons_by_module.get(module.pk, []),
        )
        for module in Module.objects.filter(course=course, archived=False).order_by("order", "id")
    ]
    bundle = Bundle(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        published=course.published,
        modules=modules,
    )
    for folder, section in SECTIONS.items():
        data = section.snapshot(course)
        if data:
            bundle.sections[folder] = data
    return bundle


def lesson_to_resume(lessons: list[Lesson], progress: dict[int, LessonProgress]) -> Lesson | None:
    """Where to continue: the last lesson viewed if unfinished, else the first unfinished."""
    visible = {lesson.pk: lesson for lesson in lessons}
    viewed = [row for row in progress.values() if row.lesson_id in visible]
    if viewed:
        last = max(viewed, key=lambda row: row.last_viewed_at)
        if not last.completed:
            return visible[last.lesson_id]
    unfinished = (lesson for lesson in lessons if not _is_complete(progress.get(lesson.pk)))
    return next(unfinished, None)


def _is_complete(row: LessonProgress | None) -> bool:
    return row is not None and row.completed


# --- flashcards -------------------------------------------------------------------------


def visible_flashcards(user: AbstractBaseUser, course: Course) -> QuerySet[Flashcard]:
    lesson_ids = lessons_for_user(user, course).values("pk")
    return Flashcard.objects.filter(course=course, archived=False, lesson__in=lesson_ids)


def card_states(user: AbstractBaseUser, cards: list[Flashcard]) -> dict[int, FlashcardReviewState]:
    rows = FlashcardReviewState.objects.filter(user=user, flashcard__in=[c.pk for c in cards])
    return {row.flashcard_id: row for row in rows}


def due_cards(
    user: AbstractBaseUser, course: Course, now: datetime, limit: int = 1
) -> list[FlashcardReviewState]:
    """The student's cards due now in this course, most overdue first (index: user, due)."""
    visible = visible_flashcards(user, course).values("pk")
    queue = FlashcardReviewState.objects.filter(user=user, due__lte=now, flashcard__in=visible)
    return list(queue.select_related("flashcard", "flashcard__lesson").order_by("due")[:limit])


def due_count(user: AbstractBaseUser, course: Course, now: datetime) -> int:
    visible = visible_flashcards(user, course).values("pk")
    return FlashcardReviewState.objects.filter(
        user=user, due__lte=now, flashcard__in=visible
    ).count()


# The Review badge's count, kept a minute in a shared cache (settings.CACHE_SHARED): it is
# on every page, and a card coming due shows within the minute; a rating forgets it
# (services.flashcard_rate). Without a shared cache it is counted on every page.
DUE_BADGE_SECONDS = 60


def due_badge_key(user_pk: int) -> str:
    return f"course:due-badge:{user_pk}"


def due_badge_count(user: AbstractBaseUser, now: datetime) -> int:
    """The navigation's Review badge: due_count_everywhere, cached where that is safe."""
    if not settings.CACHE_SHARED:
        return due_count_everywhere(user, now)
    key = due_badge_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = due_count_everywhere(user, now)
        cache.set(key, count, DUE_BADGE_SECONDS)
    return count


def due_count_everywhere(user: AbstractBaseUser, now: datetime) -> int:
    """For the navigation badge: due cards in every published course this user can see.

    Staff count every published course: asking can_author here would cost the page two
    permission queries, and a staff member's own cards reveal nothing to anyone.
    """
    states = FlashcardReviewState.objects.all()
    if not (user.is_staff or user.is_superuser):
        states = states.filter(in_a_class_of(user, "flashcard__course"))
    return states.filter(
        user=user,
        due__lte=now,
        flashcard__archived=False,
        flashcard__lesson__archived=False,
        flashcard__lesson__published=True,
        flashcard__lesson__module__published=True,
        flashcard__lesson__module__archived=False,
        flashcard__course__published=True,
    ).count()


def new_cards(user: AbstractBaseUser, course: Course, limit: int = 1) -> list[Flashcard]:
    """Cards the student has never rated, from lessons they have opened, in reading order."""
    opened = LessonProgress.objects.filter(user=user, lesson__course=course).values("lesson")
    cards = visible_flashcards(user, course).filter(lesson__in=opened)
    cards = cards.exclude(states__user=user).select_related("lesson")
    return list(cards.order_by("lesson__module__order", "lesson__order", "order", "id")[:limit])


def next_due_at(user: AbstractBaseUser, course: Course) -> datetime | None:
    visible = visible_flashcards(user, course).values("pk")
    row = (
        FlashcardReviewState.objects.filter(user=user, flashcard__in=visible)
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )
    return row


@dataclass
class FlashcardStats:
    learned: int
    due_today: int
    reviews_30d: int
    passed_30d: int

    @property
    def retention(self) -> int | None:
        return round(100 * self.passed_30d / self.reviews_30d) if self.reviews_30d else None


def flashcard_stats(user: AbstractBaseUser, course: Course, now: datetime) -> FlashcardStats:
    """Learned (in review), due by the end of today (UTC), and 30-day retention.

    Retention counts reviews of cards that were already in review (as Anki's "true
    retention" does): the share not rated Again.
    """
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=999999)
    visible = visible_flashcards(user, course).values("pk")
    states = FlashcardReviewState.objects.filter(user=user, flashcard__in=visible).aggregate(
        learned=Count("pk", filter=Q(state=CardState.REVIEW)),
        due_today=Count("pk", filter=Q(due__lte=end_of_day)),
    )
    reviews = FlashcardReview.objects.filter(
        user=user,
        flashcard__course=course,
        reviewed_at__gte=now - timedelta(days=30),
        state_before=CardState.REVIEW,
    ).aggregate(total=Count("pk"), passed=Count("pk", filter=Q(rating__gt=1)))
    return FlashcardStats(
        learned=states["learned"],
        due_today=states["due_today"],
        reviews_30d=reviews["total"],
        passed_30d=reviews["passed"],
    )
