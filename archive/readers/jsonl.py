"""JSON Lines (one article object per line) and JSON files (one object, a list of objects, or JSON Lines).

JSON Lines is UTF-8, line by line: each line is decoded and parsed on its own, so a malformed line, a line
in another encoding, a line nested absurdly deep or holding a number too long to read fails alone (an
error record for that line) and the next lines are read. A ``.json`` file is one document: a syntax
error in it is one failure at the parser's line and column.
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from ..decode import decode_bytes, refuse_binary
from ..errors import ReadError
from ..models import Record
from . import common
from .common import error_record

KIND = "jsonl"
#: A record nested deeper than this is no article (JSON-LD metadata nests about 5 levels). Deeper
#: values would also overflow the stack when a record is copied to a worker process (pickle recurses;
#: 600 levels were enough).
MAX_NESTING = 100
#: Byte-order marks of encodings whose lines cannot be split on the byte b"\n": such files are decoded
#: whole (the mark says how).
WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Standard input is read in steps of this size when a line is too long to keep: the rest of it is
#: skipped without ever being held whole.
SKIP_CHUNK_BYTES = 1 << 20
#: Non-blank lines looked at to decide whether a ``.json`` file that does not parse is JSON Lines.
JSON_LINES_PROBE = 2


class _TooLong:
    """Stands for a line of standard input that was longer than the limit (and was not kept)."""


TOO_LONG = _TooLong()


def read(source: str, raw: bytes) -> Iterator[Record]:
    """Records of a ``.jsonl`` file, one per non-blank line, ``line`` counted from 1."""
    if raw.startswith(WIDE_BOMS):
        try:
            content = decode_bytes(raw)
        except ReadError as exc:
            yield error_record(source, str(exc), kind=KIND)
            return
        yield from read_lines(source, enumerate(content.split("\n"), start=1))
        return
    try:
        refuse_binary(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    yield from read_lines(source, _byte_lines(raw))


def read_json(source: str, raw: bytes) -> Iterator[Record]:
    """Records of a ``.json`` file: one object (line 1), a list of objects (line = position) or JSON Lines."""
    try:
        content = decode_bytes(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        if _is_json_lines(content):
            yield from read_lines(source, enumerate(content.split("\n"), start=1))
        else:
            reason = f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            yield error_record(source, reason, line=exc.lineno, kind=KIND)
        return
    except (RecursionError, ValueError) as exc:
        yield error_record(source, _unreadable(exc), kind=KIND)
        return
    items = document if isinstance(document, list) else [document]
    for n, item in enumerate(items, start=1):
        if _too_deep(item):
            yield error_record(source, _unreadable(RecursionError()), line=n, kind=KIND)
            continue
        raw_item = content.encode("utf-8") if item is document else _dump(item)
        yield _record(source, n, item, raw_item)


def read_stream(source: str, stream: BinaryIO) -> Iterator[Record]:
    """Records from a binary stream of JSON Lines (standard input), read lazily line by line.

    A line longer than the file size limit is refused as it is read: at most the limit is held.
    """
    yield from read_lines(source, _stream_lines(stream, common.MAX_FILE_BYTES))


def read_lines(source: str, lines: Iterable[tuple[int, str | bytes | _TooLong]]) -> Iterator[Record]:
    for n, line in lines:
        if isinstance(line, _TooLong):
            reason = f"line too long: more than {common.MAX_FILE_BYTES:,} bytes"
            yield error_record(source, reason, line=n, kind=KIND)
            continue
        if isinstance(line, bytes):
            if len(line) > common.MAX_FILE_BYTES:
                yield error_record(source, f"line too long: {len(line):,} bytes", line=n, kind=KIND)
                continue
            if n == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield error_record(source, _not_utf8(exc), line=n, kind=KIND)
                continue
            raw = line.rstrip(b"\r\n")
        else:
            text, raw = line, line.rstrip("\r").encode("utf-8", "surrogatepass")
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            yield error_record(source, f"malformed JSON: {exc.msg} (column {exc.colno})", line=n, kind=KIND)
            continue
        except (RecursionError, ValueError) as exc:
            yield error_record(source, _unreadable(exc), line=n, kind=KIND)
            continue
        if _too_deep(item):
            yield error_record(source, _unreadable(RecursionError()), line=n, kind=KIND)
            continue
        yield _record(source, n, item, raw)


def _byte_lines(raw: bytes) -> Iterator[tuple[int, bytes]]:
    """``(line number, line bytes)`` of a file, without copying the whole file into a list."""
    start, n = 0, 1
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        yield n, raw[start:end]
        start, n = end + 1, n + 1


def _stream_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | _TooLong]]:
    """Lines of a stream, none held longer than ``limit`` bytes: a longer one is skipped in steps."""
    n = 0
    while line := stream.readline(limit + 1):
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            del line
            while (rest := stream.readline(SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield n, TOO_LONG
            continue
        yield n, line


def _is_json_lines(content: str) -> bool:
    """Whether a ``.json`` text that does not parse as one document is JSON Lines: one of its first
    non-blank lines is a whole object on its own (a pretty-printed document's lines never are)."""
    probed = 0
    for line in content.split("\n"):
        if not line.strip():
            continue
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (RecursionError, ValueError):
            pass
        probed += 1
        if probed >= JSON_LINES_PROBE:
            return False
    return False


def _too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _unreadable(exc: Exception) -> str:
    """The reason for a record the JSON parser (or our limits) cannot take in."""
    if isinstance(exc, RecursionError):
        return f"the record nests arrays or objects more than {MAX_NESTING} levels deep"
    if "integer string conversion" in str(exc):
        return f"the record holds a number longer than {sys.get_int_max_str_digits():,} digits"
    return f"malformed JSON: {exc}"


def _not_utf8(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start]
    return (
        f"line is not UTF-8 (byte 0x{byte:02x} at column {exc.start + 1}): JSON Lines must be UTF-8 "
        "line by line; convert the file (e.g. with iconv) and import it again"
    )


def _record(source: str, line: int, item: Any, raw: bytes) -> Record:
    if not isinstance(item, dict):
        return error_record(source, f"expected a JSON object, found {_json_type(item)}", line=line, kind=KIND)
    return Record(source=source, line=line, data=item, raw=raw, kind=KIND)


def _dump(item: Any) -> bytes:
    return json.dumps(item, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
