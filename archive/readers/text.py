"""Plain text and Markdown files: optional ``key: value`` front matter, else the first line is the title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..decode import decode_bytes
from ..errors import ReadError
from ..models import Record
from .common import error_record

KIND = "text"
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_LINE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
# A Markdown heading marker on the title line ("# Title") is markup, not part of the title.
HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")
# A front matter value in brackets is a list: "author: [Ann Smith, Bo Li]".
LIST_VALUE = re.compile(r"^\[(.*)\]$")


def read(source: str, raw: bytes) -> Iterator[Record]:
    """One record per file: ``{"title", "text", **front_matter}``."""
    try:
        content = decode_bytes(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    yield Record(source=source, data=parse_text(content), raw=raw, kind=KIND)


def parse_text(content: str) -> dict[str, Any]:
    """Split a text file into front matter fields, a title and the body text."""
    fields, body = split_front_matter(content)
    lines = body.lstrip("\n").split("\n")
    if "title" not in fields and lines and (not fields or HEADING_MARK.match(lines[0])):
        fields["title"] = HEADING_MARK.sub("", lines[0]).strip()
        lines = lines[1:]
    fields["text"] = "\n".join(lines).strip("\n")
    return fields


def split_front_matter(content: str) -> tuple[dict[str, Any], str]:
    """Fields between a leading pair of ``---`` lines, and the rest; no fence means no fields."""
    lines = content.lstrip("\ufeff").lstrip().split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return {}, content
    closing = [n for n, line in enumerate(lines[1:], start=1) if line.strip() == FRONT_MATTER_FENCE]
    if not closing:
        return {}, content  # an opening fence that never closes is text, not front matter
    end = closing[0]
    fields: dict[str, Any] = {}
    for line in lines[1:end]:
        match = FRONT_MATTER_LINE.match(line)
        if match:
            fields[match.group(1).lower()] = _value(match.group(2))
    return fields, "\n".join(lines[end + 1 :])


def _value(value: str) -> str | list[str]:
    listed = LIST_VALUE.match(value)
    if listed:
        return [_unquote(v) for v in listed.group(1).split(",") if v.strip()]
    return _unquote(value)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
