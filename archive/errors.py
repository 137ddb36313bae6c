"""One exception family: every problem we can explain to a journalist or an engineer."""


class ArchiveError(Exception):
    """An expected problem with a message that says what happened and how to fix it."""

    #: The command line's exit status for it (1, like "some inputs failed", unless a subclass says).
    exit_code = 1


class ReadError(ArchiveError):
    """An input could not be read as an article (encoding, no body, unknown format, too big)."""


class BadQuery(ArchiveError):
    """A search request that cannot be answered as asked (bad syntax, bad date, too long)."""


class SearchTimeout(BadQuery):
    """A search ran past its time budget and was stopped."""


class IndexMissing(ArchiveError):
    """There is no archive at the configured home, or it cannot be opened."""


class SearchUnavailable(IndexMissing):
    """No node of the search cluster (``ARCHIVE_SEARCH_URL``) answers; the archive itself is intact."""


class IndexLocked(ArchiveError):
    """Another process is writing to the archive."""

    exit_code = 3  # try again later: a script can wait and retry on this status alone


class DiskFull(ArchiveError):
    """The disk cannot hold the next commit; what was committed before is intact."""

    exit_code = 4


class NotFound(ArchiveError):
    """No article with that id."""
