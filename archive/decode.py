"""Bytes to text: byte-order marks, declared charsets, then detection; binary data is refused."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from .errors import ReadError

# Checked longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# File signatures of formats people drop into an import folder by mistake: named, so the reason says what
# the file is instead of "not text".
MAGIC = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
]

# Text never holds NUL bytes outside UTF-16/32 (which carry a BOM here); a few per cent of them in the
# sample means binary data. The sample is enough to decide, and keeps the check cheap on large inputs.
SNIFF_BYTES = 8192
MAX_NUL_RATIO = 0.01
# charset-normalizer samples chunks of what it is given; a quarter megabyte is plenty to decide and keeps
# detection fast on a 50 MB file.
DETECT_BYTES = 256 * 1024
# Short texts fit several legacy code pages equally well (cp1250, cp1252 and cp1257 all read "Café"
# without a flaw). The archive holds European news, so on a tie the more common code page wins, in this
# order. A tie is a chaos (mess) score within DETECTION_TIE of the best, and no less coherence.
PREFERRED_ENCODINGS = ["utf_8", "cp1252", "cp1251", "cp1250", "koi8_r", "iso8859_2", "iso8859_5", "cp1257"]
DETECTION_TIE = 0.01

# Where a page declares its charset: <meta charset>, <meta http-equiv content="...; charset=">, or the
# XML declaration. Browsers look at the first 1024 bytes; some pages put it a little later.
DECLARATION_BYTES = 2048
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)

# WHATWG: browsers read these labels as windows-1252, and so do real pages that say latin-1 but use
# curly quotes (0x91-0x94). UTF-16 declared in a page without a BOM is a lie (the page was ASCII-readable).
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}


def decode_bytes(raw: bytes, declared: str | None = None) -> str:
    """Decode an input's bytes to text, refusing binary data.

    Order: a byte-order mark; valid UTF-8 (a legacy encoding is almost never valid UTF-8 by accident);
    the declared charset (``declared``, else one found in the first bytes of an HTML/XML page);
    finally detection with charset-normalizer, which tells cp1251 Cyrillic from cp1252 Latin text.

    :param raw: the bytes as read.
    :param declared: a charset the container declared (HTTP header, front matter), if any.
    :raise ReadError: for binary data or bytes that are no text in any encoding.
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ReadError(f"invalid {encoding} text after its byte-order mark: {exc.reason}") from None
    refuse_binary(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in (declared, sniff_charset(raw)):
        text = _decode_declared(raw, charset)
        if text is not None:
            return text
    return raw.decode(detect_encoding(raw), errors="replace")


def detect_encoding(raw: bytes) -> str:
    """The encoding charset-normalizer finds most plausible, ties going to common European code pages."""
    matches = list(from_bytes(raw[:DETECT_BYTES]))
    if not matches:
        raise ReadError("not text: no character encoding fits these bytes")
    best = matches[0]
    tied = {
        m.encoding
        for m in matches
        if m.chaos <= best.chaos + DETECTION_TIE and m.coherence >= best.coherence - DETECTION_TIE
    }
    return next((e for e in PREFERRED_ENCODINGS if e in tied), best.encoding)


def sniff_charset(raw: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first bytes, if any."""
    match = DECLARED_CHARSET.search(raw[:DECLARATION_BYTES])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("ascii").lower()


def _decode_declared(raw: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    charset = charset.strip().lower()
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        codecs.lookup(charset)
    except LookupError:
        return None
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, the honest reading of such a file.
        if charset == "cp1252":
            return raw.decode("latin-1")
        return None


def refuse_binary(raw: bytes) -> None:
    """:raise ReadError: ``raw`` is a known binary format or holds NUL bytes."""
    for magic, what in MAGIC:
        if raw.startswith(magic):
            raise ReadError(f"binary data, not text: this looks like {what}")
    sample = raw[:SNIFF_BYTES]
    if sample and sample.count(0) / len(sample) > MAX_NUL_RATIO:
        raise ReadError("binary data, not text: it contains NUL bytes")
