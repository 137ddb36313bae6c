"""gunicorn settings for the site, used by the ``Procfile``, ``make serve``/``make demo`` and the tests'
and benchmarks' launcher::

    gunicorn -c python:archive.web.gunicorn_conf                # $PORT, $WEB_CONCURRENCY, $WEB_THREADS
    gunicorn -c python:archive.web.gunicorn_conf --bind 127.0.0.1:8000 --workers 2   # flags win

Threaded workers keep connections alive (sync workers answer ``Connection: close``), and a thread
waiting on a client holds no searcher. The app is loaded once in the master, which warms the archive's
caches before it forks, so every worker starts with them; each worker then opens its searchers and
runs a warm-up search before it takes traffic (or, when an import came in meanwhile, loads the new
generation's caches then rather than on a reader's request). Search memory is kept rather than
returned to the kernel after each request (:mod:`archive.memory`).
"""

from __future__ import annotations

import gc
import os

from archive.memory import keep_search_memory

keep_search_memory()  # in the master, before any thread or worker: every worker inherits the settings

wsgi_app = "archive.web.app:create_app()"
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
#: Requests a worker serves at once; the GIL makes more threads than this buy little on two cores.
threads = int(os.environ.get("WEB_THREADS", "4"))
#: Seconds an idle client connection stays open for its next request.
keepalive = 5
preload_app = True


def _warm_up(app) -> None:
    from archive.web.resources import warm_up

    if hasattr(app, "app_context"):  # a Flask app (not one wrapped by middleware)
        warm_up(app)


def when_ready(server) -> None:
    """In the master, after the app is loaded and before any worker is forked."""
    from archive.search.engines import release_before_fork

    if server.cfg.preload_app:
        _warm_up(server.app.wsgi())
        release_before_fork()  # arrays are shared with the workers; open files and SQLite connections are not


def post_worker_init(worker) -> None:
    """In each worker, before it accepts a connection."""
    _warm_up(worker.wsgi)
    # The caches just loaded live as long as the worker: left to the collector, a full collection walks
    # them all (270-430 ms at 10x Reuters, measured), stalling whichever request it lands in.
    gc.freeze()
