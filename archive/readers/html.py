"""HTML pages: the decoded page, for ``extract_page`` to read later in the pipeline."""

from __future__ import annotations

from collections.abc import Iterator

from ..decode import decode_bytes
from ..errors import ReadError
from ..models import Record
from .common import error_record

KIND = "html"


def read(source: str, raw: bytes) -> Iterator[Record]:
    """One record per page: ``{"html": page}``, decoded by BOM, ``<meta charset>`` or detection."""
    try:
        page = decode_bytes(raw)
    except ReadError as exc:
        yield error_record(source, str(exc), kind=KIND)
        return
    yield Record(source=source, data={"html": page}, raw=raw, kind=KIND)
