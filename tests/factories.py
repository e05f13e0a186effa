"""Test data made by the real services: bundles imported with course_import_bundle."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from cohorts.models import CourseClass, Enrollment
from cohorts.services import enrollment_add
from course.bundle import Bundle, BundleFlashcard, BundleLesson, BundleModule
from course.models import Course
from course.roles import STAFF_ROLES, sync_role_groups
from course.services import course_import_bundle


def make_user(username: str, role: str | None = None, **extra) -> AbstractBaseUser:
    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=role in STAFF_ROLES, **extra
    )
    if role:
        user.groups.add(sync_role_groups()[role])
    return user


def make_bundle(
    slug: str = "demo-course",
    *,
    modules: int = 2,
    lessons_per_module: int = 2,
    published: bool = True,
    cards_per_lesson: int = 1,
) -> Bundle:
    built = []
    for m in range(modules):
        lessons = [
            BundleLesson(
                slug=f"m{m + 1}-lesson-{n + 1}",
                title=f"Lesson {m + 1}.{n + 1}",
                summary=f"Summary of lesson {m + 1}.{n + 1}",
                minutes=5,
                body=(
                    f"## Part {m + 1}.{n + 1}\n\nSome **text**.\n\n"
                    "::: key-insight\nComparisons are easier than demonstrations.\n:::\n"
                ),
                flashcards=[
                    BundleFlashcard(
                        key=f"card-{m + 1}-{n + 1}-{c + 1}",
                        front=f"Question {m + 1}.{n + 1}.{c + 1}?",
                        back="An answer.",
                    )
                    for c in range(cards_per_lesson)
                ],
            )
            for n in range(lessons_per_module)
        ]
        built.append(
            BundleModule(
                slug=f"module-{m + 1}", title=f"Module {m + 1}", summary="", lessons=lessons
            )
        )
    return Bundle(
        slug=slug, title=f"Course {slug}", summary="A course.", published=published, modules=built
    )


def make_course(slug: str = "demo-course", **kwargs) -> Course:
    return course_import_bundle(bundle=make_bundle(slug, **kwargs)).course


def make_class(course: Course, name: str = "Class of 2027", **extra) -> CourseClass:
    return CourseClass.objects.create(course=course, name=name, **extra)


def enroll(user: AbstractBaseUser, course: Course | CourseClass | str, **extra) -> Enrollment:
    """Enroll a student in a class of the course (its first class, made if it has none):
    enrollment is what lets a student see a course at all. `course` may be a slug."""
    if isinstance(course, str):
        course = Course.objects.get(slug=course)
    if isinstance(course, CourseClass):
        course_class = course
    else:
        course_class = course.classes.order_by("id").first() or make_class(course)
    return enrollment_add(course_class=course_class, user=user, **extra)[0]
