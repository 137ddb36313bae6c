"""What every reader shares: size limits, reading (and gunzipping) a file safely, error records."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

from ..errors import ReadError
from ..models import Record

# A news article is kilobytes; a JSON Lines export of a few thousand articles is tens of megabytes. A file
# past this is a mistake (a video, a database dump) and is refused before it is read into memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
# The same limit holds for what a .gz file unpacks to, read in bounded steps: a gzip bomb stops here.
MAX_UNPACKED_BYTES = MAX_FILE_BYTES


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a file, gunzipped if its name ends in ``.gz``, within the size limits.

    :raise ReadError: unreadable, empty, too large, or a broken gzip stream.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(f"file too large: {size:,} bytes (the limit is {MAX_FILE_BYTES:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    if path.name.lower().endswith(".gz"):
        raw = gunzip(raw)
    if not raw.strip():
        raise ReadError("empty file")
    return raw


def gunzip(raw: bytes, limit: int | None = None) -> bytes:
    """Decompress gzip data, refusing more than ``limit`` bytes (default :data:`MAX_UNPACKED_BYTES`)."""
    limit = MAX_UNPACKED_BYTES if limit is None else limit
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            data = f.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReadError(f"broken or truncated gzip data: {exc}") from None
    if len(data) > limit:
        raise ReadError(f"gzip data unpacks to more than {limit:,} bytes")
    return data


def error_record(source: str, reason: str, line: int | None = None, kind: str = "") -> Record:
    return Record(source=source, line=line, error=reason, kind=kind)
