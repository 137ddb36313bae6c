"""A segment's keyword postings saved beside it, so a fresh process loads arrays instead of decoding them.

Whoosh unpickles a postings block per term, and the person, place and mention fields hold thousands of
terms: decoding them was most of a fresh ``archive search --json`` (~0.45 s of ~0.8 s at 1x). Segments
never change once written, so their (term, document) pairs are saved once, by the first process that
reads them, as ``<segment id>.values_<field>.npz``. The name matches Whoosh's segment-file pattern, so a
merge or a reindex that retires the segment deletes the file with it (``whoosh.index.clean_files``, and
``maintenance.leftovers`` under the write lock).

A file that cannot be written (a read-only home) or read back (torn, foreign) is ignored: the postings
are then decoded as before, never guessed.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

#: What joins the terms in the saved blob: no keyword term contains a newline (they are single tokens).
TERM_SEPARATOR = "\n"
#: The saved layout's version, in the file name: a change of layout is read as a missing file.
LAYOUT = 1

Values = tuple[list[str], np.ndarray, np.ndarray]


def path(folder: str | os.PathLike, segment_id: str, fieldname: str) -> Path:
    return Path(folder) / f"{segment_id}.values{LAYOUT}_{fieldname}.npz"


def load(folder: str | os.PathLike, segment_id: str, fieldname: str) -> Values | None:
    """The saved (terms, term index, local document) of a segment's field, or None when not saved."""
    try:
        with (
            open(path(folder, segment_id, fieldname), "rb") as file,
            np.load(file, allow_pickle=False) as saved,
        ):
            blob = saved["terms"].tobytes().decode("utf-8")
            values, docs = saved["values"], saved["docs"]
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
    terms = blob.split(TERM_SEPARATOR) if blob else []
    if len(values) != len(docs) or (len(values) and int(values.max()) >= len(terms)):
        return None
    return terms, values, docs


def save(folder: str | os.PathLike, segment_id: str, fieldname: str, found: Values) -> None:
    """Save a segment's field postings atomically (a temporary file, then a rename); best effort."""
    terms, values, docs = found
    if any(TERM_SEPARATOR in t for t in terms):
        return
    target = path(folder, segment_id, fieldname)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    blob = np.frombuffer(TERM_SEPARATOR.join(terms).encode("utf-8"), dtype=np.uint8)
    try:
        with open(temporary, "wb") as out:
            np.savez(out, terms=blob, values=values.astype(np.int32), docs=docs.astype(np.int32))
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
