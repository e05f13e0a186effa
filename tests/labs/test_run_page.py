"""The run page: live status for its owner (and instructors), final results, downloads."""

import json
import uuid

import pytest
from django.urls import reverse

from labs.models import LabRun


def _run(lab, user, **fields) -> LabRun:
    defaults = {"params": {"steps": 3}, "dispatches": 1, "active_slot": 1}
    return LabRun.objects.create(
        lab=lab, user=user, submission=uuid.uuid4(), **{**defaults, **fields}
    )


FINISHED = {
    "status": "succeeded",
    "active_slot": None,
    "headline": "Gold rose from 0.10 to 0.90.",
    "metrics": {"loss": [[1, 2.0], [2, 1.0]]},
    "result": {
        "headline": "Gold rose from 0.10 to 0.90.",
        "series": {
            "gold_by_family": {
                "x_label": "family",
                "y_label": "gold",
                "lines": {"base": [["fact", 0.1]], "sft": [["fact", 0.9]]},
            }
        },
        "tables": [{"title": "By family", "columns": ["family", "gold"], "rows": [["fact", 0.9]]}],
        "samples": [{"prompt": "capital of x?", "response": "y", "gold": 1.0, "model": "sft"}],
    },
}


def test_a_queued_run_says_how_many_runs_are_ahead(client, student, other_student, lab):
    _run(lab, other_student)
    _run(lab, other_student, active_slot=2)
    mine = _run(lab, student)
    client.force_login(student)
    text = client.get(mine.get_absolute_url()).text
    assert "2 runs ahead of yours" in text and 'hx-trigger="every 1s"' in text


def test_a_running_run_shows_progress_and_metrics(client, student, lab):
    run = _run(
        lab, student, status="running", step=5, total=20, metrics={"loss": [[4, 1.5], [5, 1.2]]}
    )
    client.force_login(student)
    response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-valuenow="25"' in response.text and "Step 5 of 20" in response.text
    charts = json.loads(
        response.text.split('id="run-charts" type="application/json">')[1].split("</script>")[0]
    )
    assert charts["live"][0]["lines"][0]["points"] == [[4, 1.5], [5, 1.2]]


def test_polling_stops_when_the_run_has_ended(client, student, lab):
    run = _run(lab, student, **FINISHED)
    client.force_login(student)
    response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "hx-trigger" not in response.text
    assert "Gold rose from 0.10 to 0.90." in response.text


def test_a_finished_run_keeps_its_finding_tables_samples_and_charts(client, student, lab):
    run = _run(lab, student, **FINISHED)
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    assert "Finding:" in text and "By family" in text and "capital of x?" in text
    assert '"id": "gold_by_family"' in text and "Download the JSON result" in text


def test_an_empty_table_cell_shows_a_dash_not_none(client, student, lab):
    result = {
        **FINISHED["result"],
        "tables": [
            {"title": "Methods", "columns": ["method", "wall_s"], "rows": [["SFT (start)", None]]}
        ],
    }
    run = _run(lab, student, **{**FINISHED, "result": result})
    client.force_login(student)
    text = client.get(run.get_absolute_url()).text
    dash = '<span aria-hidden="true">–</span><span class="visually-hidden">not applicable</span>'
    assert f"<td>{dash}</td>" in text
    assert "<td>None</td>" not in text


def test_the_json_result_downloads(client, student, lab):
    run = _run(lab, student, **FINISHED)
    client.force_login(student)
    response = client.get(reverse("labs:run-result", args=[run.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="sft-lab-run-{run.pk}.json"'
    assert json.loads(response.content)["result"]["headline"] == "Gold rose from 0.10 to 0.90."


def test_another_students_run_is_not_found(client, student, other_student, lab):
    run = _run(lab, other_student, **FINISHED)
    client.force_login(student)
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.get(reverse("labs:run-result", args=[run.pk])).status_code == 404
    assert client.post(reverse("labs:run-cancel", args=[run.pk])).status_code == 404


def test_instructors_see_every_run(client, instructor, student, lab):
    run = _run(lab, student, **FINISHED)
    client.force_login(instructor)
    response = client.get(run.get_absolute_url())
    assert response.status_code == 200 and "By alice" in response.text


def test_cancelling_a_queued_run_ends_it_at_once(client, student, lab):
    run = _run(lab, student)
    client.force_login(student)
    client.post(reverse("labs:run-cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "cancelled" and run.active_slot is None


def test_cancelling_a_running_run_asks_the_worker(client, student, lab):
    run = _run(lab, student, status="running")
    client.force_login(student)
    client.post(reverse("labs:run-cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "running" and run.cancel_requested


def test_the_run_page_requires_login(client, student, lab):
    run = _run(lab, student)
    assert client.get(run.get_absolute_url()).status_code == 302


def test_overlaying_runs_draws_one_line_per_run(client, student, lab):
    first = _run(lab, student, **{**FINISHED, "params": {"steps": 3}})
    second = _run(lab, student, **{**FINISHED, "params": {"steps": 9}})
    client.force_login(student)
    url = reverse("labs:compare", args=[lab.course.slug, lab.slug])
    text = client.get(url, {"runs": [first.pk, second.pk]}).text
    assert f"run {first.pk} (Steps 3)" in text and f"run {second.pk} (Steps 9)" in text


def test_overlaying_needs_two_of_my_finished_runs(client, student, other_student, lab):
    mine = _run(lab, student, **FINISHED)
    theirs = _run(lab, other_student, **FINISHED)
    client.force_login(student)
    url = reverse("labs:compare", args=[lab.course.slug, lab.slug])
    response = client.get(url, {"runs": [mine.pk, theirs.pk]}, follow=True)
    assert "Pick two or more finished runs" in response.text


def test_the_lab_page_lists_my_runs_and_not_others(client, student, other_student, lab):
    _run(lab, student, **FINISHED)
    _run(lab, other_student, **{**FINISHED, "headline": "someone else's"})
    client.force_login(student)
    text = client.get(lab.get_absolute_url()).text
    assert "Gold rose" in text and "someone else" not in text
    assert 'name="steps"' in text and 'max="50"' in text and 'name="dataset"' not in text


def test_the_lesson_links_its_lab(client, student, lab):
    client.force_login(student)
    text = client.get(reverse("course:lesson", args=[lab.course.slug, lab.lesson.slug])).text
    assert f'href="{lab.get_absolute_url()}"' in text


def test_an_unpublished_lab_is_not_found_for_students(client, student, lab):
    lab.published = False
    lab.save()
    client.force_login(student)
    assert client.get(lab.get_absolute_url()).status_code == 404


def test_instructors_see_every_run_in_the_admin_with_worker_and_device(
    client, instructor, student, lab
):
    _run(lab, student, **{**FINISHED, "worker": "celery@gpu-box", "device": "cuda"})
    client.force_login(instructor)
    response = client.get(reverse("admin:labs_labrun_changelist"))
    assert response.status_code == 200
    assert "celery@gpu-box" in response.text and "cuda" in response.text


def test_instructors_configure_labs_in_the_admin_and_bad_limits_are_refused(
    client, instructor, lab
):
    client.force_login(instructor)
    data = {
        "course": lab.course_id,
        "lesson": lab.lesson_id,
        "slug": lab.slug,
        "title": lab.title,
        "experiment": "sft",
        "introduction": "x",
        "defaults": "{}",
        "limits": '{"steps": {"max": 5000}}',
        "queue": "cpu",
        "order": "0",
        "published": "on",
    }
    ok = client.post(reverse("admin:labs_lab_change", args=[lab.pk]), data)
    assert ok.status_code == 302
    lab.refresh_from_db()
    assert lab.limits == {"steps": {"max": 5000}}
    bad = client.post(
        reverse("admin:labs_lab_change", args=[lab.pk]), {**data, "defaults": '{"steps": 9999}'}
    )
    assert bad.status_code == 200 and "at most 400" in bad.text


def test_students_cannot_open_the_lab_admin(client, student):
    client.force_login(student)
    response = client.get(reverse("admin:labs_labrun_changelist"))
    assert response.status_code == 302


def test_a_run_waiting_for_its_model_says_so(client, student, lab):
    from datetime import timedelta

    from django.utils import timezone

    run = _run(
        lab,
        student,
        status="running",
        heartbeat_at=timezone.now(),
        started_at=timezone.now() - timedelta(seconds=30),
    )
    client.force_login(student)
    assert "base model is built once" in client.get(run.get_absolute_url()).text


def test_a_sweep_of_separate_runs_draws_each_finding_against_the_varied_parameter():
    from labs.charts import compare_charts

    runs = [
        LabRun(
            pk=n,
            params={"kl": kl, "seed": 0},
            metrics={},
            result={"series": {}, "findings": {"gold": gold, "proxy": proxy}},
        )
        for n, (kl, gold, proxy) in enumerate([(0.3, 0.9, 1.0), (0.0, -0.5, 3.0), (0.1, 0.5, 2.0)])
    ]
    sweep = compare_charts(runs)[0]
    assert sweep["title"] == "Findings against KL"
    lines = {line["label"]: line["points"] for line in sweep["lines"]}
    assert lines["gold"] == [[0.0, -0.5], [0.1, 0.5], [0.3, 0.9]]
    assert lines["proxy"] == [[0.0, 3.0], [0.1, 2.0], [0.3, 1.0]]


def _with_history(lab, user, points: int) -> LabRun:
    """A running run with `points` metric points and samples: the page's query count must
    not grow with them."""
    metrics = {"loss": [[step, 1.0 / (step + 1)] for step in range(points)]}
    samples = [{"prompt": f"p{n}", "response": "r", "gold": 0.5} for n in range(points)]
    return _run(
        lab, user, status="running", step=points, total=points * 2, metrics=metrics, samples=samples
    )


@pytest.mark.usefixtures("sessions_in_the_database")
@pytest.mark.parametrize("points", [2, 200])
def test_the_run_page_reads_a_fixed_number_of_queries(
    client, student, lab, points, django_assert_num_queries
):
    run = _with_history(lab, student, points)
    client.force_login(student)
    # session, user, two permission reads (can_author), the run with its lab and course,
    # the student's due date, the navigation's flashcard badge
    with django_assert_num_queries(7):
        assert client.get(run.get_absolute_url()).status_code == 200


@pytest.mark.usefixtures("sessions_in_the_database")
@pytest.mark.parametrize("points", [2, 200])
def test_the_run_poll_reads_a_fixed_number_of_queries(
    client, student, lab, points, django_assert_num_queries
):
    run = _with_history(lab, student, points)
    client.force_login(student)
    # session, user, two permission reads (can_author), the run with its lab and course:
    # nothing else on each 1-second poll, however long the run's history
    with django_assert_num_queries(5):
        response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_with_a_shared_cache_the_run_poll_reads_its_session_from_the_cache(
    client, student, lab, django_assert_num_queries, settings
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_SHARED = True
    run = _with_history(lab, student, 20)
    client.force_login(student)
    client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    # user, the run with its lab and course: "not an author" is remembered from the first
    with django_assert_num_queries(2):
        response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200


@pytest.mark.usefixtures("sessions_in_the_database")
def test_a_queued_runs_poll_adds_one_query_for_its_place_in_the_queue(
    client, student, lab, django_assert_num_queries
):
    run = _run(lab, student)
    client.force_login(student)
    with django_assert_num_queries(6):
        response = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
