"""Benchmark: the instructor dashboard of one class of 2,000 students.

    .venv/bin/python benchmarks/class_dashboard.py [--students 2000] [--runs 5]

Loads the course bundle into a fresh SQLite database under a temporary directory (or
the database named by BENCH_DATABASE_URL; use a scratch database), enrolls the students
in three sections, gives each some lesson progress, flashcard reviews and submitted quiz
attempts, sets due dates (with section and student overrides), then prints the
dashboard's query count and p50/max time over a few runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from scratch import ROOT, scratch_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="30 students, one run (CI)")
    args = parser.parse_args()
    if args.quick:
        args.students, args.runs = 30, 1

    scratch_django("bench-dashboard-")
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cohorts.dashboard import class_dashboard

    call_command("load_course", str(ROOT / "content" / "alignment-training"), verbosity=0)
    started = time.perf_counter()
    course_class = _fill(args.students)
    print(f"built a class of {args.students} students in {time.perf_counter() - started:.1f} s")

    timings = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            board = class_dashboard(course_class, now=timezone.now())
            timings.append(time.perf_counter() - started)
    if os.environ.get("BENCH_VERBOSE"):
        for query in queries.captured_queries:
            print(f"  {1000 * float(query['time']):6.0f} ms  {query['sql'][:110]}")
    print(
        f"dashboard: {len(queries)} queries, p50 {1000 * statistics.median(timings):.0f} ms, "
        f"max {1000 * max(timings):.0f} ms; {len(board.behind)} students behind"
    )


def _fill(students: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from cohorts.models import CourseClass, DueDate, DueDateOverride, Enrollment, Section
    from course.models import Course, Flashcard, FlashcardReview, Lesson, LessonProgress
    from labs.models import Lab, LabRun
    from quizzes.models import Attempt, AttemptState, Quiz

    rng = random.Random(7)  # nosec B311  # seeded benchmark data, not a secret
    now = timezone.now()
    course = Course.objects.get(slug="alignment-training")
    course_class = CourseClass.objects.create(course=course, name="Benchmark class")
    sections = [
        Section.objects.create(course_class=course_class, name=name) for name in ("A", "B", "C")
    ]
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"student-{n}", password=password) for n in range(students)
    )
    Enrollment.objects.bulk_create(
        Enrollment(course_class=course_class, user=user, section=sections[n % 3])
        for n, user in enumerate(users)
    )
    lessons = list(Lesson.objects.filter(course=course))
    cards = list(Flashcard.objects.filter(course=course))
    quizzes = list(Quiz.objects.filter(course=course))
    labs = list(Lab.objects.filter(course=course))
    progress, reviews, attempts, runs = [], [], [], []
    for user in users:
        for lesson in rng.sample(lessons, rng.randint(0, len(lessons))):
            seen = now - timedelta(days=rng.randint(0, 30))
            progress.append(
                LessonProgress(user=user, lesson=lesson, last_viewed_at=seen, completed_at=seen)
            )
        for sequence, card in enumerate(rng.sample(cards, min(len(cards), rng.randint(0, 10)))):
            at = now - timedelta(days=rng.randint(0, 56))
            reviews.append(
                FlashcardReview(
                    user=user,
                    flashcard=card,
                    sequence=sequence,
                    rating=rng.randint(1, 4),
                    state_before=0,
                    reviewed_at=at,
                    due_after=at,
                )
            )
        for quiz in quizzes[:2]:
            attempts.append(
                Attempt(
                    user=user,
                    quiz=quiz,
                    number=1,
                    state=AttemptState.SUBMITTED,
                    score=Decimal(rng.randint(0, 10)),
                    max_score=Decimal(10),
                )
            )
        if labs and rng.random() < 0.3:
            runs.append(LabRun(lab=rng.choice(labs), user=user, submission=uuid.uuid4(), params={}))
    LessonProgress.objects.bulk_create(progress, batch_size=5000)
    FlashcardReview.objects.bulk_create(reviews, batch_size=5000)
    Attempt.objects.bulk_create(attempts, batch_size=5000)
    LabRun.objects.bulk_create(runs, batch_size=5000)
    # every quiz and lab due (all but one already past), a section's and 50 students' dates
    # moved: the "past due, not handed in" check has work to do
    dues = DueDate.objects.bulk_create(
        [
            DueDate(course_class=course_class, item=quiz, due_at=now - timedelta(days=n))
            for n, quiz in enumerate(quizzes)
        ]
        + [
            DueDate(course_class=course_class, item=lab, due_at=now - timedelta(days=n + 1))
            for n, lab in enumerate(labs)
        ]
    )
    DueDateOverride.objects.bulk_create(
        [DueDateOverride(due_date=due, section=sections[0], due_at=now) for due in dues]
        + [
            DueDateOverride(due_date=dues[0], user=user, due_at=now + timedelta(days=3))
            for user in users[:50]
        ]
    )
    return course_class


if __name__ == "__main__":
    main()
