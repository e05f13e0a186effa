from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from course import selectors, services
from course.markdown import render_markdown
from course.models import Course, Lesson


def _get_course_for_user(user: AbstractBaseUser, slug: str) -> Course:
    """The course if this user may see it; 404 otherwise (never reveal a draft exists)."""
    return get_object_or_404(selectors.courses_for_user(user), slug=slug)


def _get_lesson_for_user(user: AbstractBaseUser, course_slug: str, lesson_slug: str) -> Lesson:
    course = _get_course_for_user(user, course_slug)
    lessons = selectors.lessons_for_user(user, course).select_related("module", "course")
    return get_object_or_404(lessons, slug=lesson_slug)


@require_GET
@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    lesson_filter = Q(lessons__archived=False, lessons__module__archived=False)
    if not selectors.can_author(request.user):
        lesson_filter &= Q(lessons__published=True, lessons__module__published=True)
    courses = selectors.courses_for_user(request.user).annotate(
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
    course = _get_course_for_user(request.user, course_slug)
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
        },
    )


@require_GET
@login_required
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _get_lesson_for_user(request.user, course_slug, lesson_slug)
    order = list(selectors.lessons_for_user(request.user, lesson.course).values("slug", "title"))
    position = next(i for i, row in enumerate(order) if row["slug"] == lesson.slug)
    progress = services.lesson_record_view(user=request.user, lesson=lesson)
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "progress": progress,
        "previous": order[position - 1] if position > 0 else None,
        "next": order[position + 1] if position + 1 < len(order) else None,
        "position": position + 1,
        "lesson_count": len(order),
        "flashcards": list(lesson.flashcards.filter(archived=False)),
    }
    return render(request, "course/lesson.html", context)


@require_POST
@login_required
def lesson_complete(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _get_lesson_for_user(request.user, course_slug, lesson_slug)
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
    if not selectors.can_author(request.user):
        raise Http404
    source = request.POST.get("markdown", "")
    if len(source) > 200_000:
        return JsonResponse({"error": "The lesson is longer than 200,000 characters."}, status=400)
    return JsonResponse({"html": render_markdown(source)})
