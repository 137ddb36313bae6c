"""Web archives (``.warc``, ``.warc.gz``): each HTML response record is one page record.

The archive is streamed with warcio, one record at a time, so its size is not limited; each page's
payload is (``MAX_FILE_BYTES``). The WARC-Date is when the page was *crawled*, not published, so it is
kept as ``crawled``. A corrupt or truncated archive ends that file with an error record; the pages read
before the damage are kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..decode import decode_bytes
from ..errors import ReadError
from ..models import Record
from .common import MAX_FILE_BYTES, error_record

KIND = "warc"
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Only successful responses are pages; redirects and error pages are not articles.
OK_STATUS = range(200, 300)
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, not a bare zlib stream
CHECK_CHUNK_BYTES = 1 << 20


def read_path(path: Path, source: str) -> Iterator[Record]:
    """Records of the HTML responses in a WARC file; ``line`` is the record's ordinal in the archive."""
    n = 0
    try:
        with path.open("rb") as stream:
            previous = None
            for n, entry in enumerate(ArchiveIterator(stream), start=1):
                _check_complete(previous)
                if entry.format != "warc":
                    raise ArchiveLoadFailed("not a WARC archive (no WARC/1.x record header)")
                record = _page(entry, source, n)
                if record is not None:
                    yield record
                previous = entry
            _check_complete(previous)
        if path.name.lower().endswith(".gz"):
            _check_gzip(path)
    except (FileNotFoundError, PermissionError) as exc:
        yield error_record(source, f"cannot read the file: {exc.strerror or exc}", kind=KIND)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        where = f" (record {n})" if n else ""
        yield error_record(source, f"corrupt or truncated WARC{where}: {exc}", line=n or None, kind=KIND)
    else:
        if n == 0:
            yield error_record(source, "no WARC records: the archive is empty or truncated", kind=KIND)


def _check_gzip(path: Path) -> None:
    """Raise if the gzip stream ends mid-member: warcio reads a truncated member as a short record.

    The members are decompressed again (output discarded, in bounded steps); it costs about as much
    CPU as warcio's own pass and no memory.
    """
    decompressor, started = zlib.decompressobj(wbits=GZIP_WBITS), False
    with path.open("rb") as stream:
        while chunk := stream.read(CHECK_CHUNK_BYTES):
            while chunk:
                started = True
                decompressor.decompress(chunk, CHECK_CHUNK_BYTES)
                if decompressor.eof:  # the next member starts in the unused data
                    chunk = decompressor.unused_data
                    decompressor, started = zlib.decompressobj(wbits=GZIP_WBITS), False
                else:
                    chunk = decompressor.unconsumed_tail
    while started and not decompressor.eof and decompressor.decompress(b"", CHECK_CHUNK_BYTES):
        pass  # output held back by the step limit
    if started and not decompressor.eof:
        raise ArchiveLoadFailed("the gzip data ends in the middle of a record")


def _check_complete(entry) -> None:
    """Raise if a record ended before its declared Content-Length: warcio itself reads on silently."""
    missing = getattr(entry.raw_stream, "limit", 0) if entry is not None else 0
    if missing > 0:
        raise ArchiveLoadFailed(f"the record ends {missing:,} bytes short of its Content-Length")


def _page(entry, source: str, n: int) -> Record | None:
    """The page record of a WARC entry, an error record, or ``None`` for entries that are not pages."""
    if entry.rec_type != "response" or entry.http_headers is None:
        return None
    content_type = (entry.http_headers.get_header("Content-Type") or "").lower()
    status = entry.http_headers.get_statuscode()
    if (
        not content_type.startswith(HTML_TYPES)
        or not (status or "").isdigit()
        or int(status) not in OK_STATUS
    ):
        return None
    payload = entry.content_stream().read(MAX_FILE_BYTES + 1)
    if len(payload) > MAX_FILE_BYTES:
        return error_record(source, f"page larger than {MAX_FILE_BYTES:,} bytes", line=n, kind=KIND)
    while entry.raw_stream.read(CHECK_CHUNK_BYTES):
        pass  # the rest of the record, so a truncated one is refused before it is used
    _check_complete(entry)
    if not payload.strip():
        return error_record(source, "empty HTML response", line=n, kind=KIND)
    charset = _charset(content_type)
    try:
        page = decode_bytes(payload, declared=charset)
    except ReadError as exc:
        return error_record(source, str(exc), line=n, kind=KIND)
    data = {
        "html": page,
        "url": entry.rec_headers.get_header("WARC-Target-URI"),
        "crawled": entry.rec_headers.get_header("WARC-Date"),
    }
    return Record(source=source, line=n, data=data, raw=payload, kind=KIND)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
