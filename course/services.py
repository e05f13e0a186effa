"""Writes that touch several rows, each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from course import srs
from course.bundle import SECTIONS, Bundle
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
from course.roles import STAFF_ROLES, sync_role_groups
from course.selectors import due_badge_key


@dataclass
class ImportReport:
    course: Course
    created: dict[str, int] = field(default_factory=lambda: {"module": 0, "lesson": 0, "card": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"module": 0, "lesson": 0, "card": 0})
    archived: dict[str, int] = field(default_factory=lambda: {"module": 0, "lesson": 0, "card": 0})

    def summary(self) -> str:
        parts = []
        for label, counts in (
            ("created", self.created),
            ("updated", self.updated),
            ("archived", self.archived),
        ):
            parts.append(f"{label} " + ", ".join(f"{n} {kind}s" for kind, n in counts.items()))
        return "; ".join(parts)


def _sync(instance, values: dict) -> bool:
    """Set `values` on `instance`; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def course_import_bundle(*, bundle: Bundle) -> ImportReport:
    """Create or update a course from a parsed bundle, in place and idempotently.

    Rows are matched by slug (modules, lessons) and key (flashcards), so students'
    progress and review history stay attached. Anything that has left the bundle is
    archived (hidden, kept), never deleted.
    """
    course, created = Course.objects.select_for_update().get_or_create(
        slug=bundle.slug,
        defaults={"title": bundle.title, "summary": bundle.summary, "published": bundle.published},
    )
    report = ImportReport(course=course)
    if not created and _sync(
        course, {"title": bundle.title, "summary": bundle.summary, "published": bundle.published}
    ):
        course.save()

    modules = {m.slug: m for m in Module.objects.filter(course=course)}
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(course=course)}
    cards = {card.key: card for card in Flashcard.objects.filter(course=course)}
    seen_modules, seen_lessons, seen_cards = set(), set(), set()

    for module_order, bundle_module in enumerate(bundle.modules):
        module = modules.get(bundle_module.slug) or Module(course=course, slug=bundle_module.slug)
        values = {
            "title": bundle_module.title,
            "summary": bundle_module.summary,
            "published": bundle_module.published,
            "order": module_order,
            "archived": False,
        }
        _save_counted(report, "module", module, values)
        seen_modules.add(module.slug)
        for lesson_order, bundle_lesson in enumerate(bundle_module.lessons):
            lesson = lessons.get(bundle_lesson.slug) or Lesson(
                course=course, slug=bundle_lesson.slug
            )
            values = {
                "module_id": module.pk,
                "title": bundle_lesson.title,
                "summary": bundle_lesson.summary,
                "minutes": bundle_lesson.minutes,
                "published": bundle_lesson.published,
                "order": lesson_order,
                "archived": False,
                "body_markdown": bundle_lesson.body,
            }
            body_changed = (
                lesson.body_markdown != bundle_lesson.body or not lesson.body_html_is_current
            )
            if body_changed:
                lesson.body_markdown = bundle_lesson.body
                lesson.render_body()
            _save_counted(report, "lesson", lesson, values, changed=body_changed)
            seen_lessons.add(lesson.slug)
            for card_order, bundle_card in enumerate(bundle_lesson.flashcards):
                card = cards.get(bundle_card.key) or Flashcard(course=course, key=bundle_card.key)
                values = {
                    "lesson_id": lesson.pk,
                    "front": bundle_card.front,
                    "back": bundle_card.back,
                    "order": card_order,
                    "archived": False,
                }
                _save_counted(report, "card", card, values)
                seen_cards.add(card.key)

    report.archived["module"] = _archive(modules, seen_modules)
    report.archived["lesson"] = _archive(lessons, seen_lessons)
    report.archived["card"] = _archive(cards, seen_cards)
    for folder, data in bundle.sections.items():
        SECTIONS[folder].apply(data, course)
    return report


def _save_counted(
    report: ImportReport, kind: str, instance, values: dict, *, changed: bool = False
) -> None:
    is_new = instance.pk is None
    changed = _sync(instance, values) or changed
    if is_new or changed:
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save()
        (report.created if is_new else report.updated)[kind] += 1


def _archive(existing: dict, seen: set[str]) -> int:
    count = 0
    for slug, instance in existing.items():
        if slug not in seen and not instance.archived:
            instance.archived = True
            instance.save(update_fields=["archived"])
            count += 1
    return count


def lesson_render_body(*, lesson: Lesson) -> None:
    """Render the lesson's HTML again and store it with its key (its Markdown was changed
    without rendering, or the renderer changed since). Only these two columns are written,
    so an edit saved meanwhile keeps its own text; its HTML is checked again on next view."""
    lesson.render_body()
    Lesson.objects.filter(pk=lesson.pk).update(
        body_html=lesson.body_html, body_html_key=lesson.body_html_key
    )


# A reload within this long of the last recorded view does not write the row again:
# the record and the class dashboard show the day, and "continue where you left off"
# the latest lesson opened, which a minute does not change in practice; on SQLite every
# write waits for the one write lock that ratings and autosaves also need.
VIEW_RECORDED_WITHIN = timedelta(seconds=60)


def lesson_record_view(*, user: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    now = timezone.now()
    progress, created = LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"last_viewed_at": now}
    )
    if not created and now - progress.last_viewed_at >= VIEW_RECORDED_WITHIN:
        LessonProgress.objects.filter(pk=progress.pk).update(last_viewed_at=now)
        progress.last_viewed_at = now
    return progress


def lesson_set_complete(
    *, user: AbstractBaseUser, lesson: Lesson, complete: bool
) -> LessonProgress:
    now = timezone.now()
    progress, _ = LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"last_viewed_at": now}
    )
    if complete and progress.completed_at is None:
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])
    elif not complete and progress.completed_at is not None:
        progress.completed_at = None
        progress.save(update_fields=["completed_at"])
    return progress


@transaction.atomic
def demo_accounts_ensure(
    *, accounts: list[tuple[str, str]], passwords: dict[str, str], reset: bool
) -> set[str]:
    """Create missing demo users in their role groups; return who got `passwords`."""
    from django.contrib.auth import get_user_model

    groups = sync_role_groups()
    user_model = get_user_model()
    changed: set[str] = set()
    for username, role in accounts:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": role, "last_name": "Demo", "is_staff": role in STAFF_ROLES},
        )
        user.groups.add(groups[role])
        if created or reset:
            user.set_password(passwords[username])
            user.save()
            changed.add(username)
    return changed


@dataclass
class RatingResult:
    state: FlashcardReviewState
    applied: bool  # False when this was a replay of a rating already applied


@transaction.atomic
def flashcard_rate(
    *, user: AbstractBaseUser, flashcard: Flashcard, rating: int, sequence: int, now=None
) -> RatingResult:
    """Schedule one rating with FSRS, exactly once.

    `sequence` is the review count the student saw when they rated. A double click, a
    retry or a second tab sends the same sequence again; the conditional update below
    then changes no row, and the rating is not applied twice.
    """
    now = now or timezone.now()
    state, _ = FlashcardReviewState.objects.get_or_create(
        user=user,
        flashcard=flashcard,
        defaults={"fsrs_card": srs.new_card(now), "due": now, "state": CardState.NEW},
    )
    if state.review_count != sequence:
        return RatingResult(state=state, applied=False)
    scheduled = srs.review(state.fsrs_card, rating, now)
    lapse = rating == 1 and state.state == CardState.REVIEW
    changed = FlashcardReviewState.objects.filter(pk=state.pk, review_count=sequence).update(
        fsrs_card=scheduled.card,
        state=scheduled.state,
        due=scheduled.due,
        review_count=sequence + 1,
        lapses=state.lapses + int(lapse),
        last_reviewed_at=now,
    )
    if changed != 1:
        state.refresh_from_db()
        return RatingResult(state=state, applied=False)
    FlashcardReview.objects.create(
        user=user,
        flashcard=flashcard,
        sequence=sequence,
        rating=rating,
        state_before=state.state,
        reviewed_at=now,
        due_before=state.due if state.review_count else None,
        due_after=scheduled.due,
    )
    state.refresh_from_db()
    transaction.on_commit(lambda: cache.delete(due_badge_key(user.pk)))
    return RatingResult(state=state, applied=True)
