"""The course bundle: a course as plain files a person edits in a text editor.

Layout (see content/README.md for the author's guide)::

    <bundle>/course.yaml                 slug, title, summary, published, ordered modules
    <bundle>/lessons/<lesson-slug>.md    YAML front matter (title, summary, minutes) + Markdown
    <bundle>/flashcards/<lesson-slug>.yaml   list of {key, front, back}

Sections added by other apps (quizzes/, exercises/) register a `BundleSection`; a bundle
that holds a section no installed app handles is refused rather than half-read.

`read_bundle` parses and validates a directory without touching the database; every
problem is reported as `file:line: message`. `write_bundle` writes the same format back.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from course.markdown import check_callouts

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BundleError(Exception):
    """A problem in a bundle file, located by file and line."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


@dataclass
class BundleFlashcard:
    key: str
    front: str
    back: str


@dataclass
class BundleLesson:
    slug: str
    title: str
    summary: str
    minutes: int
    body: str
    published: bool = True
    flashcards: list[BundleFlashcard] = field(default_factory=list)


@dataclass
class BundleModule:
    slug: str
    title: str
    summary: str
    lessons: list[BundleLesson]
    published: bool = True


@dataclass
class Bundle:
    slug: str
    title: str
    summary: str
    published: bool
    modules: list[BundleModule]
    sections: dict[str, Any] = field(default_factory=dict)

    def lessons(self) -> list[BundleLesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


@dataclass
class BundleSection:
    """An extra bundle folder (e.g. quizzes/) that another app reads, imports and exports.

    read(folder, bundle) -> data      parse and validate, raising BundleError
    apply(data, course)               write to the database, inside the import transaction
    snapshot(course) -> data          read the database back into the same data
    write(data, folder)               write the files
    """

    folder: str
    read: Callable[[Path, Bundle], Any]
    apply: Callable[[Any, Any], None]
    snapshot: Callable[[Any], Any]
    write: Callable[[Any, Path], None]


SECTIONS: dict[str, BundleSection] = {}
_CORE_ENTRIES = {"course.yaml", "lessons", "flashcards", "README.md"}


def register_section(section: BundleSection) -> None:
    SECTIONS[section.folder] = section


# --- YAML with line numbers -------------------------------------------------------------


class LineDict(dict):
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise BundleError("", key_node.start_mark.line + 1, f"key {key!r} is not text")
        if key in mapping:
            raise BundleError("", key_node.start_mark.line + 1, f"duplicate key '{key}'")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, file: str, line_offset: int = 0) -> Any:
    """Parse YAML, turning every error into a BundleError at the right file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
    except BundleError as error:
        raise BundleError(file, (error.line or 0) + line_offset, error.message) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise BundleError(file, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise BundleError(file, None, f"invalid YAML: {error}") from None


# --- field checks -----------------------------------------------------------------------


class _Fields:
    """Typed access to one YAML mapping, reporting problems with file and line."""

    def __init__(self, data: Any, file: str, what: str, line_offset: int = 0, line: int = 1):
        if not isinstance(data, LineDict):
            raise BundleError(file, line + line_offset, f"{what} must be a mapping of fields")
        self.data, self.file, self.what, self.offset = data, file, what, line_offset

    def line(self, key: str | None = None) -> int:
        return (self.data.line_of(key) if key else self.data.line) + self.offset

    def error(self, key: str | None, message: str) -> BundleError:
        return BundleError(self.file, self.line(key), f"{self.what}: {message}")

    def only(self, *allowed: str) -> None:
        for key in self.data:
            if key not in allowed:
                names = ", ".join(allowed)
                raise self.error(key, f"unknown field '{key}' (allowed: {names})")

    def text(self, key: str, *, required: bool = True, max_length: int | None = None) -> str:
        if key not in self.data:
            if required:
                raise self.error(None, f"missing required field '{key}'")
            return ""
        value = self.data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(key, f"'{key}' must be non-empty text")
        if max_length and len(value) > max_length:
            raise self.error(key, f"'{key}' is longer than {max_length} characters")
        return value

    def slug(self, key: str) -> str:
        value = self.text(key)
        if not SLUG_RE.match(value):
            raise self.error(key, f"'{value}' is not a slug (lowercase letters, digits, hyphens)")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"'{key}' must be true or false")
        return value

    def integer(self, key: str, *, minimum: int, maximum: int) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key if key in self.data else None, f"'{key}' must be a whole number")
        if not minimum <= value <= maximum:
            raise self.error(key, f"'{key}' must be between {minimum} and {maximum}")
        return value

    def sequence(self, key: str) -> LineList:
        value = self.data.get(key)
        if not isinstance(value, LineList):
            raise self.error(key if key in self.data else None, f"'{key}' must be a list")
        return value


# --- reading ----------------------------------------------------------------------------


def read_bundle(directory: str | Path) -> Bundle:
    """Parse and validate a bundle directory; raise BundleError on the first problem."""
    root = Path(directory)
    if not root.is_dir():
        raise BundleError(str(root), None, "not a directory")
    manifest_path = root / "course.yaml"
    if not manifest_path.is_file():
        raise BundleError(str(manifest_path), None, "missing: every bundle starts at course.yaml")
    manifest = _Fields(
        parse_yaml(_read_text(manifest_path), str(manifest_path)),
        str(manifest_path),
        "course",
    )
    manifest.only("slug", "title", "summary", "published", "modules")

    modules: list[BundleModule] = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    module_list = manifest.sequence("modules")
    for index, raw_module in enumerate(module_list):
        fields = _Fields(
            raw_module, manifest.file, f"module #{index + 1}", line=module_list.item_lines[index]
        )
        fields.only("slug", "title", "summary", "published", "lessons")
        slug = fields.slug("slug")
        if slug in seen_modules:
            raise fields.error("slug", f"module slug '{slug}' is used twice")
        seen_modules.add(slug)
        fields.what = f"module '{slug}'"
        lesson_slugs = fields.sequence("lessons")
        lessons = []
        for position, lesson_slug in enumerate(lesson_slugs):
            line = lesson_slugs.item_lines[position]
            if not isinstance(lesson_slug, str) or not SLUG_RE.match(lesson_slug):
                raise BundleError(manifest.file, line, f"'{lesson_slug}' is not a lesson slug")
            if lesson_slug in seen_lessons:
                raise BundleError(manifest.file, line, f"lesson '{lesson_slug}' is listed twice")
            seen_lessons.add(lesson_slug)
            lesson_path = root / "lessons" / f"{lesson_slug}.md"
            if not lesson_path.is_file():
                raise BundleError(
                    manifest.file,
                    line,
                    f"lesson '{lesson_slug}' has no file {str(lesson_path)}",
                )
            lessons.append(_read_lesson(root, lesson_path, lesson_slug))
        modules.append(
            BundleModule(
                slug=slug,
                title=fields.text("title", max_length=200),
                summary=fields.text("summary", required=False),
                published=fields.boolean("published", True),
                lessons=lessons,
            )
        )

    bundle = Bundle(
        slug=manifest.slug("slug"),
        title=manifest.text("title", max_length=200),
        summary=manifest.text("summary", required=False),
        published=manifest.boolean("published", False),
        modules=modules,
    )
    _check_unlisted_lessons(root, seen_lessons)
    _read_flashcards(root, bundle)
    _read_sections(root, bundle)
    return bundle


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise BundleError(str(path), None, f"not UTF-8 text ({error.reason})") from None


def _read_lesson(root: Path, path: Path, slug: str) -> BundleLesson:
    file = str(path)
    text = _read_text(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise BundleError(file, 1, "a lesson starts with '---' and YAML front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise BundleError(file, 1, "front matter is never closed with '---'") from None
    meta = _Fields(
        parse_yaml("\n".join(lines[1:end]), file, line_offset=1),
        file,
        f"lesson '{slug}'",
        line_offset=1,
    )
    meta.only("title", "summary", "minutes", "published")
    after = lines[end + 1 :]
    blank_lead = next((i for i, line in enumerate(after) if line.strip()), len(after))
    body = normalise_body("\n".join(after))
    for line, message in check_callouts(body):
        raise BundleError(file, line + end + 1 + blank_lead, message)
    return BundleLesson(
        slug=slug,
        title=meta.text("title", max_length=200),
        summary=meta.text("summary", required=False, max_length=300),
        minutes=meta.integer("minutes", minimum=1, maximum=600),
        published=meta.boolean("published", True),
        body=body,
    )


def normalise_body(text: str) -> str:
    """Lesson bodies are stored without leading blank lines and with one final newline."""
    text = text.replace("\r\n", "\n").lstrip("\n").rstrip()
    return text + "\n" if text else ""


def _check_unlisted_lessons(root: Path, listed: set[str]) -> None:
    folder = root / "lessons"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix != ".md" or path.stem not in listed:
            raise BundleError(
                str(path),
                None,
                "not listed under any module in course.yaml (or not a .md lesson)",
            )


def _read_flashcards(root: Path, bundle: Bundle) -> None:
    folder = root / "flashcards"
    if not folder.is_dir():
        return
    lessons = {lesson.slug: lesson for lesson in bundle.lessons()}
    seen_keys: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        file = str(path)
        if path.suffix != ".yaml" or path.stem not in lessons:
            raise BundleError(
                file,
                None,
                "flashcard files are named <lesson-slug>.yaml after a lesson listed in course.yaml",
            )
        cards = parse_yaml(_read_text(path), file)
        if cards is None:
            continue
        if not isinstance(cards, LineList):
            raise BundleError(file, 1, "a flashcard file is a list of cards")
        for index, raw in enumerate(cards):
            fields = _Fields(raw, file, f"card #{index + 1}", line=cards.item_lines[index])
            fields.only("key", "front", "back")
            key = fields.slug("key")
            if key in seen_keys:
                raise fields.error("key", f"card key '{key}' is already used in {seen_keys[key]}")
            seen_keys[key] = file
            lessons[path.stem].flashcards.append(
                BundleFlashcard(key=key, front=fields.text("front"), back=fields.text("back"))
            )


def _read_sections(root: Path, bundle: Bundle) -> None:
    for path in sorted(root.iterdir()):
        if path.name in _CORE_ENTRIES or path.name.startswith("."):
            continue
        section = SECTIONS.get(path.name)
        if section is None:
            raise BundleError(str(path), None, "no installed app reads this part of a bundle")
        bundle.sections[path.name] = section.read(path, bundle)


# --- writing ----------------------------------------------------------------------------


class _BlockDumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=92)


def write_bundle(bundle: Bundle, directory: str | Path, *, replace: bool = False) -> Path:
    """Write `bundle` to `directory` atomically: a crash never leaves half a bundle."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()) and not replace:
        raise BundleError(str(target), None, "exists and is not empty (use --replace)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _write_files(bundle, staging)
        if target.exists():
            old = target.with_name(f".{target.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_files(bundle: Bundle, root: Path) -> None:
    manifest: dict[str, Any] = {"slug": bundle.slug, "title": bundle.title}
    if bundle.summary:
        manifest["summary"] = bundle.summary
    manifest["published"] = bundle.published
    manifest["modules"] = []
    for module in bundle.modules:
        entry: dict[str, Any] = {"slug": module.slug, "title": module.title}
        if module.summary:
            entry["summary"] = module.summary
        if not module.published:
            entry["published"] = False
        entry["lessons"] = [lesson.slug for lesson in module.lessons]
        manifest["modules"].append(entry)
    (root / "course.yaml").write_text(dump_yaml(manifest), encoding="utf-8")

    (root / "lessons").mkdir()
    for lesson in bundle.lessons():
        meta: dict[str, Any] = {"title": lesson.title}
        if lesson.summary:
            meta["summary"] = lesson.summary
        meta["minutes"] = lesson.minutes
        if not lesson.published:
            meta["published"] = False
        text = f"---\n{dump_yaml(meta)}---\n\n{lesson.body}"
        (root / "lessons" / f"{lesson.slug}.md").write_text(text, encoding="utf-8")
        if lesson.flashcards:
            (root / "flashcards").mkdir(exist_ok=True)
            cards = [{"key": c.key, "front": c.front, "back": c.back} for c in lesson.flashcards]
            (root / "flashcards" / f"{lesson.slug}.yaml").write_text(
                dump_yaml(cards), encoding="utf-8"
            )
    for folder, data in bundle.sections.items():
        (root / folder).mkdir()
        SECTIONS[folder].write(data, root / folder)
