"""What every reader shares: size limits, reading (and gunzipping) a file safely, error records."""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from pathlib import Path

from ..errors import ReadError
from ..models import Record

# A news article is kilobytes; a JSON Lines export of a few thousand articles is tens of megabytes. A file
# past this is a mistake (a video, a database dump) and is refused before it is read into memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
# The same limit holds for what a .gz file unpacks to, read in bounded steps: a gzip bomb stops here.
MAX_UNPACKED_BYTES = MAX_FILE_BYTES

#: What a path that is not a regular file is, for the reason a reader gives.
SPECIAL_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular_reason(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is refused, or ``None`` for a regular file.

    Only regular files are read: a FIFO would block the import forever, a device such as ``/dev/zero``
    never ends.
    """
    if stat.S_ISREG(mode):
        return None
    what = next((name for test, name in SPECIAL_FILES if test(mode)), "not a regular file")
    return f"not a regular file ({what}): only regular files are imported"


def check_regular(path: Path) -> None:
    """:raise ReadError: ``path`` (after symbolic links) is missing, unreadable or not a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    reason = not_regular_reason(mode)
    if reason:
        raise ReadError(reason)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a regular file, gunzipped if its name ends in ``.gz``, within the size limits.

    The file is opened without blocking and checked again after opening (it may have been swapped for
    a FIFO), and never more than the limit is read, whatever its size claims.

    :raise ReadError: not a regular file, unreadable, empty, too large, or a broken gzip stream.
    """
    check_regular(path)
    limit = MAX_FILE_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as f:
            reason = not_regular_reason(os.fstat(fd).st_mode)
            if reason:
                raise ReadError(reason)
            os.set_blocking(fd, True)
            raw = f.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        size = max(path.stat().st_size, len(raw))
        raise ReadError(f"file too large: {size:,} bytes (the limit is {limit:,})")
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
