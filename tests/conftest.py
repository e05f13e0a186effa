import pytest

from course.roles import GRADER, INSTRUCTOR, STUDENT
from tests.factories import make_course, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def student(db):
    return make_user("alice", STUDENT)


@pytest.fixture
def other_student(db):
    return make_user("bob", STUDENT)


@pytest.fixture
def instructor(db):
    return make_user("irene", INSTRUCTOR)


@pytest.fixture
def grader(db):
    return make_user("gus", GRADER)


@pytest.fixture
def course(db):
    return make_course()


@pytest.fixture
def student_tx(transactional_db):
    return make_user("tess", STUDENT)


@pytest.fixture
def course_tx(transactional_db):
    return make_course()
