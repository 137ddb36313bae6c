"""Failed logins are throttled per client address and per user name, on the form and on HTTP Basic.

Each wrong password costs ~100 ms of scrypt, so unthrottled guessing is both an attack on a password and
on the site's workers. Counts live in the worker's memory (``limits``' moving window): with N gunicorn
workers an address gets at most N times the limit, still far too few guesses to matter.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

#: Seconds over which failures are counted; a throttled client waits until its oldest failure is this old.
WINDOW_SECONDS = 300
#: Failed logins from one address per window: room for a shared office's typos, not for guessing.
FAILURES_PER_ADDRESS = 20
#: Failed logins for one name per window, from any address: a person mistypes a few times, not ten.
FAILURES_PER_NAME = 10
#: Names are counted up to this length (longer ones are not names, and must not grow the store).
MAX_NAME_KEY = 100


class LoginThrottle:
    """Counts failed logins; says how long a client must wait once an address or a name is over its limit."""

    def __init__(
        self,
        per_address: int = FAILURES_PER_ADDRESS,
        per_name: int = FAILURES_PER_NAME,
        window: int = WINDOW_SECONDS,
    ) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.limits = {
            "address": RateLimitItemPerSecond(per_address, window),
            "name": RateLimitItemPerSecond(per_name, window),
        }

    def _keys(self, address: str | None, name: str | None):
        yield "address", address or "unknown"
        if name:
            yield "name", name[:MAX_NAME_KEY]

    def retry_after(self, address: str | None, name: str | None) -> int | None:
        """Whole seconds to wait before this address may try this name again; ``None``: it may try now."""
        waits = []
        for kind, key in self._keys(address, name):
            item = self.limits[kind]
            if not self.limiter.test(item, kind, key):
                reset = self.limiter.get_window_stats(item, kind, key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, address: str | None, name: str | None) -> None:
        """Count one failed login against the address and the name."""
        for kind, key in self._keys(address, name):
            self.limiter.hit(self.limits[kind], kind, key)
