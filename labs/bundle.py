"""The course bundle's `labs/` folder: one YAML file per lab page.

labs/<lab-slug>.yaml
    title: SFT shifts behaviour
    experiment: sft                  # an experiment of the lab engine (python -m workers list)
    lesson: limits-of-sft            # optional: the lesson that links to the lab
    queue: cpu                       # cpu or gpu
    published: true                  # optional, default true
    defaults: {steps: 36}            # optional: the form's starting values
    limits: {steps: {max: 200}}      # optional: tighter than the engine's limits
    introduction: |                  # Markdown shown above the form
      ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.bundle import (
    SLUG_RE,
    Bundle,
    BundleError,
    BundleSection,
    LineDict,
    _Fields,
    _read_text,
    dump_yaml,
    parse_yaml,
)
from course.markdown import render_markdown
from course.models import Lesson
from labs.models import Lab
from labs.parameters import check_lab_config
from workers import LabInputError


@dataclass
class BundleLab:
    slug: str
    title: str
    experiment: str
    introduction: str
    lesson: str = ""
    queue: str = "cpu"
    published: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)


def read(folder: Path, bundle: Bundle) -> list[BundleLab]:

    lessons = {lesson.slug for lesson in bundle.lessons()}
    labs = []
    for path in sorted(folder.iterdir()):
        file = str(path)
        if path.suffix != ".yaml" or not SLUG_RE.match(path.stem):
            raise BundleError(file, None, "lab files are named <lab-slug>.yaml")
        fields = _Fields(parse_yaml(_read_text(path), file), file, f"lab '{path.stem}'")
        fields.only(
            "title",
            "experiment",
            "introduction",
            "lesson",
            "queue",
            "published",
            "defaults",
            "limits",
        )
        lab = BundleLab(
            slug=path.stem,
            title=fields.text("title", max_length=200),
            experiment=fields.text("experiment"),
            introduction=fields.text("introduction", required=False),
            lesson=fields.text("lesson", required=False),
            queue=fields.text("queue", required=False) or "cpu",
            published=fields.boolean("published", True),
            defaults=_plain(fields.data.get("defaults") or {}),
            limits=_plain(fields.data.get("limits") or {}),
        )
        if lab.lesson and lab.lesson not in lessons:
            raise fields.error("lesson", f"no lesson '{lab.lesson}' in course.yaml")
        if lab.queue not in ("cpu", "gpu"):
            raise fields.error("queue", "queue must be cpu or gpu")
        for name in ("defaults", "limits"):
            if not isinstance(fields.data.get(name) or {}, dict):
                raise fields.error(name, f"'{name}' must be a mapping")
        try:
            check_lab_config(lab.experiment, lab.defaults, lab.limits)
        except LabInputError as error:
            raise fields.error("experiment", str(error)) from None
        labs.append(lab)
    return labs


def _plain(value: Any) -> Any:
    if isinstance(value, LineDict | dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def apply(labs: list[BundleLab], course) -> None:

    lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(course=course)}
    existing = {lab.slug: lab for lab in Lab.objects.filter(course=course)}
    for order, item in enumerate(labs):
        lab = existing.pop(item.slug, None) or Lab(course=course, slug=item.slug)
        lab.title, lab.experiment, lab.introduction = item.title, item.experiment, item.introduction
        lab.introduction_html = render_markdown(item.introduction)
        lab.lesson = lessons.get(item.lesson)
        lab.queue, lab.published, lab.archived, lab.order = item.queue, item.published, False, order
        lab.defaults, lab.limits = item.defaults, item.limits
        lab.save()
    for lab in existing.values():
        lab.archived = True
        lab.save(update_fields=["archived"])


def snapshot(course) -> list[BundleLab]:

    return [
        BundleLab(
            slug=lab.slug,
            title=lab.title,
            experiment=lab.experiment,
            introduction=lab.introduction,
            lesson=lab.lesson.slug if lab.lesson else "",
            queue=lab.queue,
            published=lab.published,
            defaults=lab.defaults,
            limits=lab.limits,
        )
        for lab in Lab.objects.filter(course=course, archived=False).select_related("lesson")
    ]


def write(labs: list[BundleLab], folder: Path) -> None:
    for lab in labs:
        data: dict[str, Any] = {"title": lab.title, "experiment": lab.experiment}
        if lab.lesson:
            data["lesson"] = lab.lesson
        data["queue"] = lab.queue
        if not lab.published:
            data["published"] = False
        if lab.defaults:
            data["defaults"] = lab.defaults
        if lab.limits:
            data["limits"] = lab.limits
        data["introduction"] = lab.introduction
        (folder / f"{lab.slug}.yaml").write_text(dump_yaml(data), encoding="utf-8")


SECTION = BundleSection(folder="labs", read=read, apply=apply, snapshot=snapshot, write=write)
