import pytest

from tests.factories import make_course


@pytest.fixture(autouse=True)
def _students_in_a_class_of_the_demo_course(request):
    """make_quiz imports "demo-course"; the student fixtures are enrolled in its class (the
    class rule applies to taking quizzes too). Tests without a database are left alone."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("fixture_class").add_course(make_course())
