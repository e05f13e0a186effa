import pytest

from course.roles import GRADER, INSTRUCTOR, STUDENT
from tests.factories import enroll, make_course, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the password-reset throttle counts there."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sessions_in_the_database(settings):
    """Sessions and caching as without DJANGO_CACHE_URL, for query counts that must not
    depend on it (make test-services runs with a shared Redis cache, where the session is
    read from the cache). Ask for it before the client's first request: the session
    middleware reads the engine once."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.CACHE_SHARED = False


@pytest.fixture
def sessions_in_a_shared_cache(settings):
    """Production's set-up with DJANGO_CACHE_URL: sessions read from the cache (on the
    per-process cache under make test, on Redis under make test-services)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_SHARED = True


class FixtureClass:
    """The class of the `course` fixtures: the `student` fixtures are enrolled in it, whatever
    order pytest makes them in. Courses made with make_course() have no students; a test
    that shows one to a student enrolls them with tests.factories.enroll."""

    def __init__(self):
        self.courses: list = []
        self.students: list = []

    def add_course(self, course):
        self.courses.append(course)
        for user in self.students:
            enroll(user, course)
        return course

    def add_student(self, user):
        self.students.append(user)
        for course in self.courses:
            enroll(user, course)
        return user


@pytest.fixture
def fixture_class():
    return FixtureClass()


@pytest.fixture
def student(db, fixture_class):
    return fixture_class.add_student(make_user("alice", STUDENT))


@pytest.fixture
def other_student(db, fixture_class):
    return fixture_class.add_student(make_user("bob", STUDENT))


@pytest.fixture
def instructor(db):
    return make_user("irene", INSTRUCTOR)


@pytest.fixture
def grader(db):
    return make_user("gus", GRADER)


@pytest.fixture
def course(db, fixture_class):
    return fixture_class.add_course(make_course())


@pytest.fixture
def student_tx(transactional_db, fixture_class):
    return fixture_class.add_student(make_user("tess", STUDENT))


@pytest.fixture
def course_tx(transactional_db, fixture_class):
    return fixture_class.add_course(make_course())


@pytest.fixture(scope="session")
def small_base_model():
    """The lab engine's small base model, built once per machine under var/test-models
    (keyed by its configuration, so a change rebuilds it) and shared by worker processes."""
    import os
    from pathlib import Path

    import workers
    from workers.base_model import build_base_model

    models = Path(__file__).resolve().parents[1] / "var" / "test-models"
    env = {"LABS_MODEL_DIR": str(models), "LABS_BASE_PRESET": "small"}
    saved = {key: os.environ.get(key) for key in [*env, "LABS_BASE_MODEL"]}
    os.environ.update(env)
    os.environ.pop("LABS_BASE_MODEL", None)
    workers.preload()
    build_base_model()
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
