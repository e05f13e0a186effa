"""Benchmark: build one student's flashcard due queue among 10,000 students x 200 cards.

    .venv/bin/python benchmarks/flashcards_due_queue.py [--students 10000] [--cards 200]

Fills a fresh SQLite database under a temporary directory (or the database named by
BENCH_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test — its tables are
created in a throwaway schema-free way by migrate, so use a scratch database) and
prints p50/p95 of the review page's queue queries for random students. Target: p95 under
20 ms on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime

from scratch import scratch_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds (CI)")
    args = parser.parse_args()
    if args.quick:
        args.students, args.cards, args.samples = 50, 20, 20

    scratch_django("bench-cards-")
    from django.db import connection

    course = _fill(args.students, args.cards, connection)
    _measure(course, args.students, args.samples)


def _fill(students: int, cards: int, connection):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from course.services import course_import_bundle
    from tests.factories import make_bundle

    started = time.perf_counter()
    lessons = max(1, cards // 10)
    bundle = make_bundle(
        "bench", modules=lessons // 2 or 1, lessons_per_module=2, cards_per_lesson=10
    )
    course = course_import_bundle(bundle=bundle).course
    card_ids = list(course.flashcards.values_list("pk", flat=True))[:cards]
    user_model = get_user_model()
    unusable = make_password(None)  # students who cannot log in
    user_model.objects.bulk_create(
        [user_model(username=f"s{n}", password=unusable) for n in range(students)], batch_size=5000
    )
    user_ids = list(user_model.objects.values_list("pk", flat=True))
    now = datetime.now(UTC)
    card_json = json.dumps(
        {
            "card_id": 1,
            "state": 2,
            "step": None,
            "stability": 12.5,
            "difficulty": 5.1,
            "due": now.isoformat(),
            "last_review": now.isoformat(),
        }
    )
    # One INSERT ... SELECT over students x cards: about 5% of cards due now, the rest spread
    # over the next 60 days.
    if connection.vendor == "sqlite":
        offset = (
            "CASE WHEN abs(random()) % 100 < 5 THEN -(abs(random()) % 2000) / 1000.0 "
            "ELSE (abs(random()) % 60000) / 1000.0 + 0.01 END"
        )
        due = f"strftime('%Y-%m-%d %H:%M:%f', 'now', ({offset}) || ' days')"
        stamp = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        due, stamp = due.replace("%", "%%"), stamp.replace("%", "%%")  # DB-API placeholders
    else:
        offset = "CASE WHEN random() < 0.05 THEN -random() * 2 ELSE random() * 60 + 0.01 END"
        due = f"now() + ({offset}) * interval '1 day'"
        stamp = "now()"
    sql = (
        "INSERT INTO course_flashcardreviewstate (user_id, flashcard_id, fsrs_card, state, due, "
        f"review_count, lapses, last_reviewed_at) SELECT u.id, c.id, %s, 2, {due}, 3, 0, {stamp} "  # nosec B608  # {due}, {stamp}: fixed SQL per engine
        "FROM auth_user u CROSS JOIN course_flashcard c WHERE c.course_id = %s AND c.id <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [card_json, course.pk, max(card_ids)])
        cursor.execute("ANALYZE")
    rows = len(user_ids) * len(card_ids)
    print(
        f"filled {len(user_ids):,} students x {len(card_ids)} cards = {rows:,} card states "
        f"in {time.perf_counter() - started:.1f} s ({connection.vendor})"
    )
    return course


def _measure(course, students: int, samples: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from course import selectors

    users = list(get_user_model().objects.order_by("?")[:samples])
    timings = []
    with CaptureQueriesContext(connection) as captured:
        for user in users:
            start = time.perf_counter()
            now = timezone.now()
            selectors.due_cards(user, course, now, limit=1)
            selectors.due_count(user, course, now)
            timings.append((time.perf_counter() - start) * 1000)
    per_build = len(captured.captured_queries) / len(users)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"due queue (next card + due count), {len(users)} random students, "
        f"{per_build:.0f} queries each:"
    )
    print(
        f"  p50 {statistics.median(timings):.2f} ms   p95 {p95:.2f} ms   max {timings[-1]:.2f} ms"
        f"   (target p95 < 20 ms: {'met' if p95 < 20 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
