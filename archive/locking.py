"""The archive's single-writer lock: one import, delete or reindex at a time; readers never take it."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from archive.errors import IndexLocked

LOCK_NAME = "write.lock"
#: How often a waiting writer retries the lock.
POLL_SECONDS = 0.2

LOCKED_MESSAGE = (
    "Another import, delete or reindex is writing to {home}. Wait for it to finish, then run this "
    "command again (or pass --wait). Search keeps working meanwhile."
)


@contextmanager
def write_lock(home: Path, wait: float = 0.0):
    """Hold the archive's write lock; the OS drops it if the process dies, so a kill never leaves it stuck.

    :param wait: seconds to wait for another writer before giving up.
    :raises IndexLocked: when another writer holds it past ``wait``.
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(LOCKED_MESSAGE.format(home=home)) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)
