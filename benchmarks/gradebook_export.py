"""Benchmark: a class's gradebook exports, 5,000 students x 10 quizzes.

    .venv/bin/python benchmarks/gradebook_export.py [--students 5000] [--quizzes 10]

Builds the class in a fresh SQLite database under a temporary directory (or the database
named by BENCH_DATABASE_URL; use a scratch database): every student submits every quiz
(a choice question, a numeric one and an essay, a tenth of the essays still to grade),
then writes each export (Canvas and Moodle gradebooks and every answer; CSV and XLSX) to
a temporary file, printing its time and peak Python memory (tracemalloc, a second run).
Targets on a developer's machine: under 10 s and 200 MB each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from decimal import Decimal

from scratch import scratch_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5_000)
    parser.add_argument("--quizzes", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="50 students, 3 quizzes (CI)")
    args = parser.parse_args()
    if args.quick:
        args.students, args.quizzes = 50, 3

    scratch_django("bench-gradebook-")

    from quizzes import gradebook

    started = time.perf_counter()
    course_class = _fill(args.students, args.quizzes)
    print(
        f"built {args.students} students x {args.quizzes} quizzes "
        f"in {time.perf_counter() - started:.1f} s"
    )
    exports = {
        "canvas": gradebook.canvas_rows,
        "moodle": gradebook.moodle_rows,
        "responses": gradebook.response_rows,
    }
    for name, rows in exports.items():
        for extension in ("csv", "xlsx"):
            seconds, size = _write(rows, course_class, extension)
            tracemalloc.start()
            _write(rows, course_class, extension)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"export {name}.{extension}: {seconds:.2f} s, peak {peak / 2**20:.1f} MB, "
                f"{size / 2**20:.1f} MB written"
            )


def _write(rows, course_class, extension: str) -> tuple[float, int]:
    from cohorts.exports import csv_lines
    from cohorts.xlsx import xlsx_file

    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        if extension == "csv":
            for line in csv_lines(rows(course_class, None)):
                out.write(line.encode())
        else:
            with xlsx_file(rows(course_class, None), "Gradebook") as book:
                while chunk := book.read(1 << 20):
                    out.write(chunk)
        return time.perf_counter() - started, out.tell()


def _fill(students: int, quizzes: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from cohorts.models import CourseClass, Enrollment, Section
    from course.models import Course
    from quizzes.models import Attempt, AttemptState, Choice, Question, Quiz, Response

    now = timezone.now()
    course = Course.objects.create(slug="bench", title="Benchmark course", published=True)
    course_class = CourseClass.objects.create(course=course, name="Benchmark class")
    sections = [
        Section.objects.create(course_class=course_class, name=name) for name in ("A", "B", "C")
    ]
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"student-{n}",
            first_name=f"Émile {n}",
            last_name=f"=Nguyen, {n}",
            email=f"s{n}@example.org",
            password=password,
        )
        for n in range(students)
    )
    Enrollment.objects.bulk_create(
        Enrollment(course_class=course_class, user=user, section=sections[n % 3], student_id=str(n))
        for n, user in enumerate(users)
    )
    for q in range(quizzes):
        quiz = Quiz.objects.create(course=course, key=f"quiz-{q}", title=f"Quiz {q}", order=q)
        single = Question.objects.create(quiz=quiz, key="a", kind="single", prompt="Pick", order=0)
        Choice.objects.bulk_create(
            [
                Choice(question=single, key="a", text="Right", correct=True),
                Choice(question=single, key="b", text="Wrong"),
            ]
        )
        number = Question.objects.create(quiz=quiz, key="b", kind="numeric", prompt="n?", order=1)
        written = Question.objects.create(
            quiz=quiz, key="c", kind="essay", prompt="Why?", points=Decimal(3), order=2
        )
        attempts = Attempt.objects.bulk_create(
            (
                Attempt(
                    user=user,
                    quiz=quiz,
                    number=1,
                    state=AttemptState.SUBMITTED,
                    submitted_at=now,
                    score=Decimal(n % 6),
                    max_score=Decimal(5),
                    needs_grading=n % 10 == 0,
                )
                for n, user in enumerate(users)
            ),
            batch_size=2_000,
        )
        Response.objects.bulk_create(
            (
                response
                for n, attempt in enumerate(attempts)
                for response in (
                    Response(attempt=attempt, question=single, answer={"choice": "a"}, score=1),
                    Response(attempt=attempt, question=number, answer={"text": "-1"}, score=0),
                    Response(
                        attempt=attempt,
                        question=written,
                        answer={"text": '+a long answer, with "quotes"\nand lines ' * 5},
                        score=None if n % 10 == 0 else Decimal(n % 4),
                    ),
                )
            ),
            batch_size=3_000,
        )
    return course_class


if __name__ == "__main__":
    main()
