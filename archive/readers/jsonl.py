"""JSON Lines (one article object per line) and JSON files (one object, a list of objects, or JSON Lines).

A malformed line fails alone: it becomes an error record for that line and the next lines are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..decode import decode_bytes
from ..errors import ReadError
from ..models import Record
from .common import MAX_FILE_BYTES, error_record

KIND = "jsonl"


def read(source: str, raw: bytes) -> Iterator[Record]:
    """Records of a ``.jsonl`` file, one per non-blank line, ``line`` counted from 1."""
    try:
        content = decode_bytes(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    yield from read_lines(source, enumerate(content.split("\n"), start=1))


def read_json(source: str, raw: bytes) -> Iterator[Record]:
    """Records of a ``.json`` file: one object (line 1), a list of objects (line = position) or JSON Lines."""
    try:
        content = decode_bytes(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    try:
        document = json.loads(content)
    except json.JSONDecodeError:
        yield from read_lines(source, enumerate(content.split("\n"), start=1))
        return
    items = document if isinstance(document, list) else [document]
    for n, item in enumerate(items, start=1):
        raw_item = content.encode("utf-8") if item is document else _dump(item)
        yield _record(source, n, item, raw_item)


def read_stream(source: str, stream: Iterable[bytes]) -> Iterator[Record]:
    """Records from a binary stream of JSON Lines (standard input), read lazily line by line."""
    yield from read_lines(source, enumerate(stream, start=1))


def read_lines(source: str, lines: Iterable[tuple[int, str | bytes]]) -> Iterator[Record]:
    for n, line in lines:
        if isinstance(line, bytes):
            if len(line) > MAX_FILE_BYTES:
                yield error_record(source, f"line too long: {len(line):,} bytes", line=n, kind=KIND)
                continue
            try:
                text = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield error_record(source, f"line is not UTF-8: {exc.reason}", line=n, kind=KIND)
                continue
            raw = line.rstrip(b"\r\n")
        else:
            text, raw = line, line.rstrip("\r").encode("utf-8")
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            yield error_record(source, f"malformed JSON: {exc.msg} (column {exc.colno})", line=n, kind=KIND)
            continue
        yield _record(source, n, item, raw)


def _record(source: str, line: int, item: Any, raw: bytes) -> Record:
    if not isinstance(item, dict):
        return error_record(source, f"expected a JSON object, found {_json_type(item)}", line=line, kind=KIND)
    return Record(source=source, line=line, data=item, raw=raw, kind=KIND)


def _dump(item: Any) -> bytes:
    return json.dumps(item, ensure_ascii=False).encode("utf-8")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
