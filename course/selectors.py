"""Reads: what a user may see, and the course as a bundle."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from course.bundle import (
    SECTIONS,
    Bundle,
    BundleFlashcard,
    BundleLesson,
    BundleModule,
    normalise_body,
)
from course.models import Course, Flashcard, Lesson, LessonProgress, Module


def can_author(user: AbstractBaseUser) -> bool:
    """Instructors (and superusers) see drafts; students see only published content."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("course.change_lesson"))


def courses_for_user(user: AbstractBaseUser) -> QuerySet[Course]:
    courses = Course.objects.all()
    return courses if can_author(user) else courses.filter(published=True)


def lessons_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Lesson]:
    """The course's visible lessons in reading order (module order, then lesson order)."""
    lessons = Lesson.objects.filter(course=course, archived=False, module__archived=False)
    if not can_author(user):
        lessons = lessons.filter(published=True, module__published=True)
    return lessons.order_by("module__order", "order", "id")


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
