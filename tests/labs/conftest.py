import pytest

from labs.models import Lab
from tests.factories import make_course


class Published:
    """Records what would have gone to the broker."""

    def __init__(self):
        self.calls: list[dict] = []
        self.fail_with: Exception | None = None

    def __call__(self, args=None, queue=None, **kwargs):
        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append({"args": args, "queue": queue})


@pytest.fixture
def published(monkeypatch) -> Published:
    from labs import tasks

    recorder = Published()
    monkeypatch.setattr(tasks.run_lab, "apply_async", recorder)
    return recorder


def make_lab(course, slug="sft-lab", **extra) -> Lab:
    from course.markdown import render_markdown

    lesson = course.lessons.order_by("id").first()
    fields = {
        "title": "SFT lab",
        "experiment": "sft",
        "introduction": "Try **SFT**.",
        "lesson": lesson,
        "limits": {"steps": {"max": 50}},
        **extra,
    }
    lab = Lab(course=course, slug=slug, **fields)
    lab.introduction_html = render_markdown(lab.introduction)
    lab.save()
    return lab


@pytest.fixture
def lab(db, fixture_class):
    return make_lab(fixture_class.add_course(make_course()))
