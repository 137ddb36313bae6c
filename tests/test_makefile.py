"""The Makefile's promises to a newcomer: `make demo` on a busy port says how to pick another port."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.mark.parametrize("target", ["demo", "serve"])
def test_a_busy_port_stops_before_anything_runs_and_names_the_way_out(tmp_path, target):
    home = tmp_path / "home"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", target, f"PORT={port}", f"HOME_DIR={home}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"Port {port} is already in use" in result.stderr
    assert f"make {target} PORT=8001" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not home.exists()  # nothing seeded, no gunicorn started


def test_a_free_port_passes_the_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        ["make", "--no-print-directory", "port-free", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
