"""Item analysis: facility, discrimination, option frequencies and Cronbach's alpha, on a
hand-computed example, then through the instructor's page."""

import pytest
from django.urls import reverse

from course.roles import STUDENT
from quizzes import services
from quizzes.item_analysis import cronbach_alpha, discrimination, facility
from tests.factories import enroll, make_class, make_user
from tests.quizzes.factories import field_names, make_quiz, single

# Four students, three one-point items: right, right, right / right, right, wrong /
# right, wrong, wrong / wrong, wrong, wrong.
TABLE = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_facility_is_the_mean_share_of_the_points():
    assert [facility([row[i] for row in TABLE], 1) for i in range(3)] == [0.75, 0.5, 0.25]


def test_cronbachs_alpha_on_a_hand_computed_table():
    # Item variances 0.1875 + 0.25 + 0.1875 = 0.625; totals 3, 2, 1, 0 vary by 1.25;
    # alpha = 3/2 x (1 - 0.625/1.25) = 0.75.
    assert cronbach_alpha(TABLE) == pytest.approx(0.75)


def test_discrimination_correlates_the_item_with_the_rest_of_the_attempt():
    # Item 1 (1, 1, 1, 0) against the rest (2, 1, 0, 0): cov 0.1875, variances 0.1875 and
    # 0.6875, so r = 0.1875 / sqrt(0.1875 x 0.6875) = 0.5222.
    assert discrimination(TABLE, 0) == pytest.approx(0.5222, abs=1e-4)
    assert discrimination([[1, 0], [1, 1]], 0) is None  # an item nobody missed says nothing


@pytest.mark.django_db
def test_the_page_reads_the_class_attempts_and_counts_the_options(client, instructor):
    quiz = make_quiz(questions=[single("q1"), single("q2"), single("q3")])
    course_class = make_class(quiz.course, name="Analysed")
    ids = field_names(quiz)
    for n, row in enumerate(TABLE):
        user = make_user(f"s{n}", STUDENT)
        enroll(user, course_class)
        attempt = services.attempt_start(user=user, quiz=quiz)
        answers = {
            ids[f"q{i + 1}"]: ({"choice": "b" if right else "c"}, 0) for i, right in enumerate(row)
        }
        services.attempt_submit(attempt=attempt, answers=answers)
    url = reverse("quizzes:item-analysis", args=[course_class.pk, quiz.pk])
    client.force_login(instructor)
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="alpha">0.75<' in page.text
    assert "From 4 submitted, fully graded attempts" in page.text
    assert "<td>0.75</td>" in page.text and "<td>0.52</td>" in page.text
    assert "Option b ✓: 3" in page.text and "Option c: 1" in page.text  # item 1
    client.force_login(make_user("gus2", STUDENT))
    assert client.get(url).status_code == 404
