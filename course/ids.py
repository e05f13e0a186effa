"""Row ids that arrive from outside (a URL, a query string, a form): ASCII digits that fit
the database's 64-bit key. Anything else is no id at all, so a page answers 404 (or its
"pick one" message) instead of handing the database a number it cannot compare
(SQLite: "Python int too large to convert to SQLite INTEGER").
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BigAutoField, on SQLite and PostgreSQL alike


def parse_id(value: object) -> int | None:
    """The id written in `value`, or None: not a string of ASCII digits ("²" and "١" are
    digits to str.isdigit), zero, or beyond the largest key."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value) > 19:  # more digits than MAX_ID has, before int() reads a long string
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """`<id:name>` in a URL pattern: like `<int:name>`, but a number beyond the largest
    key does not match (404) instead of reaching a query."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not a row id")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
