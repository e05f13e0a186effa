"""Class preference labelling: students label pairs; an instructor sees agreement and
trains a reward model on the labels."""

import pytest
from django.urls import reverse

from labs import selectors
from labs.models import LabRun, PreferenceLabel, PreferencePair
from labs.runner import _materialise_inline_files
from labs.services import preference_label_save, preference_pairs_create


@pytest.fixture
def pairs(course):
    preference_pairs_create(course=course, count=6)
    return list(PreferencePair.objects.filter(course=course).order_by("order"))


def _gold_choice(pair) -> str:
    return "a" if pair.gold_a > pair.gold_b else "b"


def test_pairs_come_from_the_world_with_different_gold(pairs):
    assert len(pairs) == 6
    assert all(abs(p.gold_a - p.gold_b) >= 0.3 and p.response_a != p.response_b for p in pairs)


def test_a_student_labels_the_next_pair_and_moves_on(client, student, course, pairs):
    client.force_login(student)
    url = reverse("labs:label", args=[course.slug])
    page = client.get(url).text
    assert pairs[0].prompt in page and "gold" not in page.lower()
    response = client.post(url, {"pair": pairs[0].pk, "choice": "b"})
    assert response.status_code == 302
    assert PreferenceLabel.objects.get(user=student).choice == "b"
    assert pairs[1].prompt in client.get(url).text
    assert "You have labelled 1 of 6 pairs" in client.get(url).text


def test_relabelling_a_pair_changes_my_label_not_adds_one(client, student, course, pairs):
    client.force_login(student)
    url = reverse("labs:label", args=[course.slug])
    client.post(url, {"pair": pairs[0].pk, "choice": "a"})
    client.post(url, {"pair": pairs[0].pk, "choice": "tie"})
    assert list(PreferenceLabel.objects.values_list("choice", flat=True)) == ["tie"]


def test_a_bad_choice_is_refused_with_a_message(client, student, course, pairs):
    client.force_login(student)
    url = reverse("labs:label", args=[course.slug])
    response = client.post(url, {"pair": pairs[0].pk, "choice": "c"}, follow=True)
    assert "Pick response A, response B" in response.text
    assert not PreferenceLabel.objects.exists()


def test_a_pair_of_another_course_cannot_be_labelled_here(client, student, course, pairs):
    from tests.factories import enroll, make_course

    other = make_course("other-course")
    enroll(student, other)  # in both classes: the pair, not the course, is refused
    client.force_login(student)
    response = client.post(
        reverse("labs:label", args=[other.slug]), {"pair": pairs[0].pk, "choice": "a"}
    )
    assert response.status_code == 404


def test_agreement_between_labellers_and_with_gold(course, pairs, student, other_student):
    first, second = pairs[0], pairs[1]
    preference_label_save(user=student, pair=first, choice=_gold_choice(first))
    preference_label_save(user=other_student, pair=first, choice=_gold_choice(first))
    wrong = "b" if _gold_choice(second) == "a" else "a"
    preference_label_save(user=student, pair=second, choice=_gold_choice(second))
    preference_label_save(user=other_student, pair=second, choice=wrong)
    agreement = selectors.class_agreement(course)
    assert agreement.labellers == 2 and agreement.labels == 4
    assert agreement.between_labellers == 0.5 and agreement.with_gold == 0.75


def test_label_rows_put_the_chosen_response_first_and_skip_ties(course, pairs, student):
    preference_label_save(user=student, pair=pairs[0], choice="b")
    preference_label_save(user=student, pair=pairs[1], choice="tie")
    assert selectors.class_label_rows(course) == [
        {"prompt": pairs[0].prompt, "chosen": pairs[0].response_b, "rejected": pairs[0].response_a}
    ]


def test_an_instructor_trains_a_reward_model_on_the_labels(
    client, instructor, student, course, pairs, published, django_capture_on_commit_callbacks
):
    for pair in pairs:
        preference_label_save(user=student, pair=pair, choice=_gold_choice(pair))
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("labs:class-labels-train", args=[course.slug]))
    run = LabRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.lab.experiment == "class_reward_model" and not run.lab.published
    assert len(run.params["inline_files"]["labels"]) == 6
    assert published.calls[0]["args"] == [run.pk, 1]


def test_training_needs_four_labels_that_pick_a_side(client, instructor, student, course, pairs):
    preference_label_save(user=student, pair=pairs[0], choice="a")
    client.force_login(instructor)
    response = client.post(reverse("labs:class-labels-train", args=[course.slug]), follow=True)
    assert "at least 4 are needed" in response.text and not LabRun.objects.exists()


def test_inline_label_files_reach_the_engine_as_a_jsonl_path(tmp_path):
    params = _materialise_inline_files(
        {"seed": 1, "inline_files": {"labels": [{"prompt": "p", "chosen": "c", "rejected": "r"}]}},
        tmp_path,
    )
    assert params == {"seed": 1, "labels": str(tmp_path / "labels.jsonl")}
    assert (
        tmp_path / "labels.jsonl"
    ).read_text() == '{"prompt": "p", "chosen": "c", "rejected": "r"}\n'


def test_students_cannot_see_or_use_the_instructor_pages(client, student, course, pairs):
    client.force_login(student)
    assert client.get(reverse("labs:class-labels", args=[course.slug])).status_code == 404
    assert client.post(reverse("labs:class-labels-train", args=[course.slug])).status_code == 404
    assert client.post(reverse("labs:class-labels-generate", args=[course.slug])).status_code == 404


def test_the_instructor_page_shows_agreement_and_adds_pairs(client, instructor, course, pairs):
    client.force_login(instructor)
    page = client.get(reverse("labs:class-labels", args=[course.slug])).text
    assert "Between labellers" in page and "6 pairs" in page
    client.post(reverse("labs:class-labels-generate", args=[course.slug]), {"count": "4"})
    assert PreferencePair.objects.filter(course=course).count() == 10


def test_labelling_requires_login(client, course, pairs):
    assert client.get(reverse("labs:label", args=[course.slug])).status_code == 302


def test_the_class_run_shows_its_labels_as_a_count_not_their_text(
    client, instructor, student, course, pairs, published
):
    for pair in pairs:
        preference_label_save(user=student, pair=pair, choice=_gold_choice(pair))
    client.force_login(instructor)
    response = client.post(reverse("labs:class-labels-train", args=[course.slug]), follow=True)
    assert "Labels 6 rows" in response.text and pairs[0].response_a not in response.text
