"""Input formats: each reader turns a file (or standard input) into :class:`~archive.models.Record` s.

The reader is picked by the file extension (a further ``.gz`` is unpacked first: ``a.jsonl.gz``).
Nothing here raises for bad input: an unsupported, unreadable, empty or broken file becomes a record with
``error`` set, and the batch goes on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import ReadError
from ..models import Record
from . import html, jsonl, text, warc
from .common import MAX_FILE_BYTES, check_regular, error_record, read_file_bytes

__all__ = ["MAX_FILE_BYTES", "SUPPORTED_EXTENSIONS", "iter_records", "reader_for"]

STDIN = "-"

# Readers of whole files (bytes in, records out), by extension.
BYTE_READERS: dict[str, Callable[[str, bytes], Iterator[Record]]] = {
    ".txt": text.read,
    ".md": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".jsonl": jsonl.read,
    ".json": jsonl.read_json,
}
# WARC archives are streamed record by record (warcio unpacks .warc.gz itself).
STREAM_EXTENSIONS = (".warc", ".warc.gz")
SUPPORTED_EXTENSIONS: tuple[str, ...] = (*BYTE_READERS, *STREAM_EXTENSIONS)


def iter_records(paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Record]:
    """Every record in ``paths``, in order; folders recursively in sorted order, ``-`` is JSON Lines on stdin.

    Hidden files and folders (``.DS_Store``, ``.git``) inside a folder are skipped; a file named
    explicitly is always read. Inside a folder, a symbolic link to a folder is not followed (it could
    loop, or lead out of the folder) and an unreadable folder cannot be listed: each becomes an error
    record that says so. Anything that is not a regular file (a FIFO, a device) is refused.

    :param paths: files, folders, or ``-``.
    :param stdin: the binary stream ``-`` reads (default: ``sys.stdin.buffer``).
    """
    for given in paths:
        if given == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from jsonl.read_stream(STDIN, stream)
            continue
        path = Path(given)
        if path.is_dir():
            for file, problem in _walk(path):
                if problem is None:
                    yield from read_path(file)
                else:
                    yield error_record(str(file), problem)
        elif path.exists():
            yield from read_path(path)
        else:
            yield error_record(str(given), "no such file or folder")


def read_path(path: Path) -> Iterator[Record]:
    """The records of one file, chosen by its extension."""
    source = str(path)
    extension = reader_for(path)
    if extension is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        yield error_record(source, f"unsupported file type {_suffix(path)!r}; supported: {supported}")
        return
    try:
        check_regular(path)
    except ReadError as exc:
        yield error_record(source, str(exc))
        return
    if extension in STREAM_EXTENSIONS:
        yield from warc.read_path(path, source)
        return
    try:
        raw = read_file_bytes(path)
    except ReadError as exc:
        yield error_record(source, str(exc))
        return
    yield from BYTE_READERS[extension](source, raw)


def reader_for(path: Path) -> str | None:
    """The supported extension that picks the reader of ``path`` (``.jsonl`` for ``a.jsonl.gz``), or None."""
    name = path.name.lower()
    for extension in STREAM_EXTENSIONS:
        if name.endswith(extension):
            return extension
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    suffix = os.path.splitext(name)[1]
    return suffix if suffix in BYTE_READERS else None


def _suffix(path: Path) -> str:
    return "".join(path.suffixes[-2:]) if path.suffix.lower() == ".gz" else path.suffix or path.name


#: Why a folder's entry is not read.
SYMLINKED_FOLDER = "a symbolic link to a folder, not followed: name the folder it points to to import it"


def _walk(folder: Path) -> Iterator[tuple[Path, str | None]]:
    """``(file, None)`` for every file to read under ``folder``, ``(path, reason)`` for what is not read."""
    problems: list[tuple[Path, str]] = []

    def unreadable(exc: OSError) -> None:
        problems.append((Path(exc.filename or folder), f"cannot read the folder: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        yield from _drain(problems)
        visible = sorted(d for d in dirs if not d.startswith("."))
        dirs[:] = [d for d in visible if not os.path.islink(os.path.join(root, d))]
        for name in visible:
            if name not in dirs:
                yield Path(root) / name, SYMLINKED_FOLDER
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name, None
    yield from _drain(problems)


def _drain(problems: list[tuple[Path, str]]) -> Iterator[tuple[Path, str]]:
    while problems:
        yield problems.pop(0)
