"""A web worker keeps search memory: large temporary arrays freed in a request thread are reused, not
mapped afresh from the kernel on the next request (a page fault per 4 KB; see archive.memory)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

#: A request's temporaries, as at 10x Reuters: a few arrays of some megabytes, allocated and freed.
WORKLOAD = """
import resource, sys, threading
import numpy as np
{setup}
def requests():
    for _ in range(40):
        mask = np.ones(2_000_000, dtype=np.bool_)
        counts = np.bincount(np.arange(500_000) % 1000, minlength=1000) + mask[:1000]
        del mask, counts
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
thread = threading.Thread(target=requests)  # warm-up pass: the first request may fault
thread.start(); thread.join()
before = faults()
thread = threading.Thread(target=requests)
thread.start(); thread.join()
print(faults() - before)
"""


def page_faults(setup: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", WORKLOAD.format(setup=setup)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.split()[-1])


def test_gunicorn_settings_keep_request_memory():
    """Loading the gunicorn config (as the master does before it forks) applies the settings: 40 requests
    of ~6 MB of temporaries then fault at most a tenth as often as with the C library's defaults."""
    default = page_faults("")
    kept = page_faults("import archive.web.gunicorn_conf")
    assert default > 2_000, f"the workload should fault with the defaults ({default})"
    assert kept * 10 < default, f"{kept} page faults with the settings, {default} without"


def test_settings_are_taken():
    done = subprocess.run(
        [sys.executable, "-c", "from archive.memory import keep_search_memory; print(keep_search_memory())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "True"


def test_a_worker_freezes_its_warmed_caches(tmp_path):
    """After its warm-up a worker moves what it loaded out of the collector's reach (gc.freeze), so no
    full collection later walks the caches in the middle of a request."""
    import gc
    from types import SimpleNamespace

    from archive.web import gunicorn_conf
    from archive.web.app import create_app

    app = create_app({"ARCHIVE_HOME": str(tmp_path)})
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
