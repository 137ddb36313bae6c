"""Bulk reads of Whoosh 2.7.4's on-disk structures into numpy arrays.

Whoosh's public API hands out postings, columns and field lengths one document at a time, through
Python generators; a search that touches every hit (exact totals, facets over the whole result set)
then costs microseconds per posting. Here we read whole posting blocks and whole columns at once. This
touches private attributes of the pinned Whoosh version (``whoosh==2.7.4``); every function falls back
to the public API when a structure is not what it expects, so a different codec is slower, not wrong.
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Container
from io import BytesIO

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.columns import EmptyColumnReader
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length

#: Whoosh stores a field's length per document as one byte; this table turns the byte back into a length.
BYTE_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)

_BLOCK_LENGTH = struct.Struct("!i")
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)

#: Decoding a Whoosh posting block (zlib + pickle) costs ~80 us per 128 postings, so a common word at
#: 10x Reuters costs ~0.2 s to read. Segments never change once written (deletions are masked
#: separately), so decoded postings are kept per segment, across searchers and generations, up to this
#: many bytes (ids and weights: 12 bytes per posting).
POSTINGS_CACHE_BYTES = 256 * 1024 * 1024
#: Terms with fewer postings than this are cheap to decode and are not worth the cache's bookkeeping.
POSTINGS_CACHE_MIN = 512

_postings_lock = threading.Lock()
_postings_cache: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_postings_bytes = 0


def leaf_readers(reader) -> list[tuple[object, int]]:
    """The segment readers under ``reader`` with the global number of each one's first document."""
    return list(reader.leaf_readers())


def segment_postings(segment, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (segment-local) and weights (term frequencies) of one term in one segment.

    Deleted documents are included; callers mask them with the live-document mask.
    """
    key = _segment_key(segment, fieldname, btext)
    if key is not None:
        with _postings_lock:
            hit = _postings_cache.get(key)
            if hit is not None:
                _postings_cache.move_to_end(key)
                return hit
    result = _decode_postings(segment, fieldname, btext)
    if key is not None and len(result[0]) >= POSTINGS_CACHE_MIN:
        _remember(key, result)
    return result


def _segment_key(segment, fieldname: str, btext: bytes) -> tuple | None:
    """Segment ids are random 16-character names, unique across indexes: no folder needed."""
    try:
        return (segment.segment().segment_id(), fieldname, btext)
    except AttributeError:
        return None


def _remember(key: tuple, result: tuple[np.ndarray, np.ndarray]) -> None:
    global _postings_bytes
    size = result[0].nbytes + result[1].nbytes
    for array in result:
        array.flags.writeable = False  # shared between searches: nobody may change it in place
    with _postings_lock:
        if key in _postings_cache:
            return
        _postings_cache[key] = result
        _postings_bytes += size
        while _postings_bytes > POSTINGS_CACHE_BYTES and _postings_cache:
            _, (ids, weights) = _postings_cache.popitem(last=False)
            _postings_bytes -= ids.nbytes + weights.nbytes


def clear_postings_cache() -> None:
    global _postings_bytes
    with _postings_lock:
        _postings_cache.clear()
        _postings_bytes = 0


def _decode_postings(segment, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    terms = getattr(segment, "_terms", None)
    if terms is None:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    try:
        info = terms.term_info(fieldname, btext)
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return _from_terminfo(terms._postfile, info)


def _from_terminfo(postfile, info) -> tuple[np.ndarray, np.ndarray]:
    """Ids and weights of one term from its term info: inlined, or all its blocks read in one go.

    Whoosh's own matcher reads each block header with ``pickle.load`` on the file, which through a
    compound segment opened without mmap means hundreds of tiny reads per term; one ``get`` of the
    whole extent and in-memory unpickling avoids them.
    """
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh 2.7.4 reads the stored length back as a 1-tuple
        length = length[0]
    return parse_blocks(postfile.get(offset, length))


def parse_blocks(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Parse Whoosh 3 posting blocks: a magic tag, then per block a signed length (negative for the
    last), a pickled info tuple (count, max id, max weight, compression, lengths) and the pickled
    (ids as deltas, weights, values) data, zlib-compressed when the info says so."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh 3 postings list")
    buffer = BytesIO(raw)
    position = 4
    id_parts, weight_parts = [], []
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(raw, position)
        start = position + _BLOCK_LENGTH.size
        end = start + abs(length)
        buffer.seek(start)
        count, _, _, compression, _, _ = pickle.load(buffer)
        data = raw[buffer.tell() : end]
        raw_ids, raw_weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
        id_parts.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))
        if raw_weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(raw_weights, float):
            weight_parts.append(np.full(count, raw_weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(raw_weights, dtype=np.float32))
        if length < 0:
            break
        position = end
    if len(id_parts) == 1:
        return id_parts[0], weight_parts[0]
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def phrase_matches(reader, fieldname: str, words: list[str], slop: int, candidates: np.ndarray) -> np.ndarray:
    """The candidate documents (global numbers, sorted) where ``words`` occur in order, each within
    ``slop`` positions of the one before (Whoosh's ``Phrase`` semantics: slop 1 = adjacent).

    Only the posting blocks that hold a candidate are unpickled, and only the candidates' positions
    decoded, into one array per word; the order is then checked for every candidate at once (a common
    phrase at 10x Reuters has ~500,000 candidate passages: per-document checks took seconds).
    Returns ``None`` when a segment is not in the expected format (the caller then asks Whoosh).
    """
    found: list[np.ndarray] = []
    fieldobj = reader.schema[fieldname]
    btexts = [fieldobj.to_bytes(w) for w in words]
    for segment, offset in leaf_readers(reader):
        count = segment.doc_count_all()
        lo, hi = np.searchsorted(candidates, [offset, offset + count])
        local = candidates[lo:hi] - offset
        if not len(local):
            continue
        terms = getattr(segment, "_terms", None)
        if terms is None:
            return None
        per_word: list[np.ndarray] = []
        for btext in btexts:
            try:
                info = terms.term_info(fieldname, btext)
            except TermNotFound:
                per_word = []
                break
            per_word.append(_candidate_positions(terms._postfile, info, local))
        if not per_word:
            continue
        hits = _in_order(per_word, slop)
        if len(hits):
            found.append(hits + offset)
    return np.concatenate(found) if found else _EMPTY_IDS


#: A (document, position) pair as one sortable integer: the document in the high bits. Positions stay
#: far below 2**32, so a position minus the slop never reaches into the previous document.
_DOC_SHIFT = 32


def _in_order(per_word: list[np.ndarray], slop: int) -> np.ndarray:
    """The documents (sorted) where each word's position follows one of the previous word's by 1..slop.

    :param per_word: each word's sorted ``document << _DOC_SHIFT | position`` keys.
    """
    current = per_word[0]
    for following in per_word[1:]:
        lower = np.searchsorted(current, following - slop, side="left")
        upper = np.searchsorted(current, following - 1, side="right")
        current = following[upper > lower]
        if not len(current):
            return _EMPTY_IDS
    return np.unique(current >> _DOC_SHIFT)


def _candidate_positions(postfile, info, local: np.ndarray) -> np.ndarray:
    """Positions of one term in the candidate documents (segment-local numbers), as sorted
    ``document << _DOC_SHIFT | position`` keys."""
    docs: list[int] = []
    values: list[bytes] = []
    if info.is_inlined():
        ids, _, encoded = info.inlined_postings()
        for doc, value in zip(ids, encoded, strict=True):
            if _has(local, doc):
                docs.append(doc)
                values.append(value)
        return _keys(docs, values)
    offset, length = info.extent()
    if isinstance(length, tuple):
        length = length[0]
    raw = postfile.get(offset, length)
    buffer = BytesIO(raw)
    position, previous_max = 4, -1
    while True:
        (size,) = _BLOCK_LENGTH.unpack_from(raw, position)
        start = position + _BLOCK_LENGTH.size
        end = start + abs(size)
        buffer.seek(start)
        _, max_id, _, compression, _, _ = pickle.load(buffer)
        first = np.searchsorted(local, previous_max, side="right")
        if first < len(local) and local[first] <= max_id:
            data = raw[buffer.tell() : end]
            raw_ids, _, encoded = pickle.loads(zlib.decompress(data) if compression else data)
            ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64))
            at = np.minimum(np.searchsorted(local, ids), len(local) - 1)
            wanted = np.flatnonzero(local[at] == ids)
            docs.extend(ids[wanted].tolist())
            values.extend(encoded[k] for k in wanted.tolist())
        if size < 0:
            break
        previous_max, position = max_id, end
    return _keys(docs, values)


#: Whoosh's Positions value of n positions all below 256: a 4-byte count, then pickle protocol 2 of the
#: list of deltas: PROTO 2, EMPTY_LIST, BINPUT 0, [MARK], BININT1 d (n times), APPEND or APPENDS, STOP.
_PICKLE_HEAD = 5  # PROTO 2, EMPTY_LIST, BINPUT 0
_BININT1 = ord("K")


def _keys(docs: list[int], values: list[bytes]) -> np.ndarray:
    """Sorted (document, position) keys from each document's encoded positions.

    Nearly every value holds only one-byte deltas, which sit at fixed offsets: those are read for all
    documents at once with numpy (``pickle.loads`` per value was most of a common phrase's time); any
    other value is unpickled.
    """
    if not values:
        return _EMPTY_IDS
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.cumsum(lengths) - lengths
    joined = np.frombuffer(b"".join(values), dtype=np.uint8)
    counts = (
        (joined[starts].astype(np.int64) << 24)
        | (joined[starts + 1].astype(np.int64) << 16)
        | (joined[starts + 2].astype(np.int64) << 8)
        | joined[starts + 3]
    )
    # one delta: head, K d, APPEND, STOP (9 bytes); more: head, MARK, (K d) * n, APPENDS, STOP
    first_op = starts + 4 + _PICKLE_HEAD + (counts > 1)
    expected = 4 + _PICKLE_HEAD + (counts > 1) + 2 * counts + 2
    simple = (counts > 0) & ((lengths == expected) | (lengths == expected - 1))  # STOP may be trimmed
    per_value = np.where(simple, counts, 0)
    owner = np.repeat(np.arange(len(values)), per_value)
    within = np.arange(int(per_value.sum())) - np.repeat(np.cumsum(per_value) - per_value, per_value)
    ops = first_op[owner] + 2 * within
    ok = joined[ops] == _BININT1
    if not ok.all():
        bad = np.unique(owner[~ok])
        simple[bad] = False
        keep = simple[owner]
        owner, ops = owner[keep], ops[keep]
    deltas = joined[ops + 1].astype(np.int64)
    parts_owner = [owner]
    parts_deltas = [deltas]
    for i in np.flatnonzero(~simple).tolist():
        unpickled = np.asarray(_position_deltas(values[i]), dtype=np.int64)
        parts_owner.append(np.full(len(unpickled), i, dtype=np.int64))
        parts_deltas.append(unpickled)
    if len(parts_owner) > 1:
        owner = np.concatenate(parts_owner)
        order = np.argsort(owner, kind="stable")
        owner, deltas = owner[order], np.concatenate(parts_deltas)[order]
    if not len(deltas):
        return _EMPTY_IDS
    running = np.cumsum(deltas)
    new_value = np.r_[True, owner[1:] != owner[:-1]]
    before = (running - deltas)[new_value]  # the running sum before each value's first delta
    sizes = np.diff(np.r_[np.flatnonzero(new_value), len(owner)])
    positions = running - np.repeat(before, sizes)
    doc_ids = np.asarray(docs, dtype=np.int64)[owner]
    return (doc_ids << _DOC_SHIFT) | positions


def _has(sorted_values: np.ndarray, value: int) -> bool:
    i = np.searchsorted(sorted_values, value)
    return bool(i < len(sorted_values) and sorted_values[i] == value)


def _position_deltas(value: bytes) -> list[int]:
    """Whoosh's Positions encoding: a 4-byte count, then the pickled position deltas (its final STOP
    byte may have been trimmed when the block was written)."""
    payload = value[4:] if value.endswith(b".") else value[4:] + b"."
    return pickle.loads(payload)


def term_postings(
    reader, fieldname: str, text: str | bytes, offsets: Container[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Global document numbers and weights of one term across every segment of ``reader``.

    :param offsets: read only the segments whose first document has one of these numbers (``None``: all).
    """
    btext = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
    id_parts, weight_parts = [], []
    for segment, offset in leaf_readers(reader):
        if offsets is not None and offset not in offsets:
            continue
        ids, weights = segment_postings(segment, fieldname, btext)
        if len(ids):
            id_parts.append(ids + offset)
            weight_parts.append(weights)
    if not id_parts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if len(id_parts) == 1:
        return id_parts[0], weight_parts[0]
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def field_postings(reader, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every (term, document) pair of a field, in one pass over each segment's term list.

    Reading term by term through the public API costs ~0.5 ms a term (two hash lookups, a matcher,
    a block unpickled); a person field has thousands of terms. Here the term list is walked in order
    and each term's postings read straight from its term info (inlined or blocks).

    :return: the field's terms (sorted), and parallel arrays of term index and global document number.
    """
    per_term: dict[str, list[np.ndarray]] = {}
    for segment, offset in leaf_readers(reader):
        terms = getattr(segment, "_terms", None)
        if terms is None or not hasattr(terms, "items_from"):
            for btext in segment.lexicon(fieldname) if fieldname in segment.schema else []:
                ids, _ = segment_postings(segment, fieldname, btext)
                ids = np.asarray(ids, dtype=np.int64) + offset
                per_term.setdefault(btext.decode("utf-8"), []).append(ids)
            continue
        for (name, btext), info in terms.items_from(fieldname, emptybytes):
            if name != fieldname:
                break
            ids = _from_terminfo(terms._postfile, info)[0]
            per_term.setdefault(btext.decode("utf-8"), []).append(ids.astype(np.int64) + offset)
    keys = sorted(per_term)
    if not keys:
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    parts = [np.concatenate(per_term[k]) if len(per_term[k]) > 1 else per_term[k][0] for k in keys]
    sizes = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    values = np.repeat(np.arange(len(keys), dtype=np.int32), sizes)
    return keys, values, np.concatenate(parts)


def numeric_column(reader, fieldname: str, dtype: str) -> np.ndarray:
    """A fixed-width numeric column for every document (deleted ones included), as raw sortable values.

    :param dtype: the numpy type of the column's struct typecode, big-endian (``">u4"``, ``">i8"``).
    """
    parts = []
    for segment, _ in leaf_readers(reader):
        count = segment.doc_count_all()
        if fieldname not in segment.schema or not segment.has_column(fieldname):  # an older index's
            parts.append(np.zeros(count, dtype=np.dtype(dtype).newbyteorder("=")))
            continue
        column = segment.column_reader(fieldname, translate=False)
        parts.append(_fixed_column(column, count, dtype))
    if not parts:
        return np.zeros(0, dtype=np.dtype(dtype).newbyteorder("="))
    return np.concatenate(parts)


def _fixed_column(column, count: int, dtype: str) -> np.ndarray:
    native = np.dtype(dtype).newbyteorder("=")
    if isinstance(column, EmptyColumnReader):
        return np.zeros(count, dtype=native)
    try:
        width = column._fixedlen
        stored = column._count
        raw = column._dbfile.get(column._basepos, stored * width) if stored else emptybytes
        values = np.frombuffer(raw, dtype=dtype).astype(native)
        default = column._default
    except AttributeError:  # not a fixed-width column reader: read it value by value
        return np.fromiter((column[i] for i in range(count)), dtype=native, count=count)
    if stored >= count:
        return values[:count]
    out = np.full(count, default if isinstance(default, int | float) else 0, dtype=native)
    out[:stored] = values
    return out


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length in tokens for a field (as Whoosh stores it: one byte, approximate)."""
    parts = []
    for segment, _ in leaf_readers(reader):
        count = segment.doc_count_all()
        perdoc = getattr(segment, "_perdoc", None)
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
        if column is None:
            parts.append(np.zeros(count, dtype=np.float32))
            continue
        codes = _fixed_column(column, count, ">u1")
        parts.append(BYTE_LENGTHS[codes])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def live_mask(reader) -> np.ndarray:
    """True for every document that is not deleted."""
    parts = []
    for segment, _ in leaf_readers(reader):
        mask = np.ones(segment.doc_count_all(), dtype=bool)
        if segment.has_deletions():
            if hasattr(segment, "segment"):
                deleted = np.fromiter(segment.segment().deleted_docs(), dtype=np.int64)
            else:
                deleted = np.fromiter((i for i in range(len(mask)) if segment.is_deleted(i)), dtype=np.int64)
            mask[deleted] = False
        parts.append(mask)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def field_terms(reader, fieldname: str) -> list[bytes]:
    """Every term of a field, as bytes, across all segments (sorted, unique)."""
    if fieldname not in reader.schema:
        return []
    return list(reader.lexicon(fieldname))


__all__ = [
    "BYTE_LENGTHS",
    "field_lengths",
    "field_terms",
    "leaf_readers",
    "live_mask",
    "numeric_column",
    "segment_postings",
    "term_postings",
]
