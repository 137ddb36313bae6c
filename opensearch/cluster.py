"""A local OpenSearch cluster of two nodes: `start` (wait for green, print the URL), `stop`, `status`.

Each node is its own JVM (opensearch/ArchiveNode). The default cluster (`make opensearch`) listens on
127.0.0.1:9200 and 9201 (transport 9300 and 9301) with data, logs and pid files under .opensearch/
(``OPENSEARCH_DIR``). A throw-away cluster for tests that kill nodes takes other ports and another folder:
``cluster.py start --ports 9210,9211 --dir /tmp/x`` or :class:`Cluster` from Python. Needs only the standard
library, Java 17 and the class path that `mvn package` wrote to opensearch/target/classpath.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("OPENSEARCH_DIR", HERE.parent / ".opensearch"))
CLUSTER = "archive-local"
HOST = "127.0.0.1"
HTTP_PORTS = (9200, 9201)
#: A node's transport port is its HTTP port plus this (9200 -> 9300).
TRANSPORT_OFFSET = 100
# Small heaps: two nodes share a 2-core machine with the site and the importer; 512 MB holds Reuters x10.
HEAP = os.environ.get("OPENSEARCH_HEAP", "512m")
# A cold JVM start plus shard recovery takes ~20 s here; a slow shared machine may need several times that.
START_TIMEOUT = 180
STOP_TIMEOUT = 30
# The default layout for every index an application creates without saying otherwise (priority 0: an
# application's own template wins): two shards, so the cross-shard cases are real; one replica, so one node
# may die without losing an answer.
DEFAULT_TEMPLATE = {
    "index_patterns": ["*"],
    "priority": 0,
    "template": {"settings": {"number_of_shards": 2, "number_of_replicas": 1}},
}


def request(port: int, method: str, path: str, body: dict | None = None, timeout: float = 5) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"{}")


def answers(port: int) -> bool:
    try:
        request(port, "GET", "/", timeout=2)
        return True
    except (OSError, ValueError):
        return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Cluster:
    """Nodes ``node-1``, ``node-2``, ... with HTTP on ``ports``, their homes under ``root``."""

    def __init__(self, root: Path = ROOT, ports: tuple[int, ...] = HTTP_PORTS, name: str = CLUSTER):
        self.root = Path(root)
        self.name = name
        self.nodes = [(f"node-{i + 1}", port, port + TRANSPORT_OFFSET) for i, port in enumerate(ports)]
        #: The nodes this object started, to reap them when they end.
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        """The ``ARCHIVE_SEARCH_URL`` of this cluster: every node, comma-separated."""
        return ",".join(f"http://{HOST}:{http}" for _, http, _ in self.nodes)

    def node_yml(self, node: str, http: int, transport: int) -> str:
        seeds = ", ".join(f'"{HOST}:{t}"' for _, _, t in self.nodes)
        names = ", ".join(f'"{n}"' for n, _, _ in self.nodes)
        return (
            f"cluster.name: {self.name}\n"
            f"node.name: {node}\n"
            "node.roles: [cluster_manager, data, ingest]\n"
            f"network.host: {HOST}\n"
            f"http.port: {http}\n"
            f"transport.port: {transport}\n"
            f"discovery.seed_hosts: [{seeds}]\n"
            f"cluster.initial_cluster_manager_nodes: [{names}]\n"
            # Snapshots (README "Scaling out"): a shared file system repository every node can reach.
            f"path.repo: [{json.dumps(str(self.root / 'snapshots'))}]\n"
            # A laptop's disk is often more than 90 % full; shards must still be allocated.
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
            # Deleting an index by pattern (tests, benchmarks) is fine on a local cluster.
            "action.destructive_requires_name: false\n"
        )

    def pid_file(self, node: str) -> Path:
        return self.root / node / "node.pid"

    def pid(self, node: str) -> int | None:
        """The node's process id while it runs, else None (a stale pid file is removed)."""
        path = self.pid_file(node)
        proc = self.procs.get(node)
        if proc is not None and proc.poll() is not None:  # ours, and it ended: reaped now
            del self.procs[node]
        try:
            pid = int(path.read_text())
            os.kill(pid, 0)
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            return None
        # The java launcher's command line reads empty for a moment while it starts: not a stranger.
        if command and b"archive.opensearch.ArchiveNode" not in command:
            path.unlink(missing_ok=True)  # the pid was reused by another program
            return None
        return pid

    def launch(self, node: str, http: int, transport: int) -> None:
        home = self.root / node
        config = home / "config"
        for sub in (config, home / "data", home / "logs", self.root / "snapshots"):
            sub.mkdir(parents=True, exist_ok=True)
        (config / "opensearch.yml").write_text(self.node_yml(node, http, transport))
        (config / "log4j2.properties").write_text((HERE / "config" / "log4j2.properties").read_text())
        classpath = f"{HERE / 'target' / 'classes'}:{(HERE / 'target' / 'classpath.txt').read_text().strip()}"
        command = [
            "java",
            f"-Xms{HEAP}",
            f"-Xmx{HEAP}",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dlog4j2.disable.jmx=true",
            "-Dlog4j.shutdownHookEnabled=false",
            "-cp",
            classpath,
            "archive.opensearch.ArchiveNode",
            str(home),
        ]
        with open(home / "logs" / "node.log", "ab") as log:
            proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file(node).write_text(str(proc.pid))
        self.procs[node] = proc

    def start(self, quiet: bool = False) -> int:
        """Start the nodes that are not running and wait until the cluster is green; 0 on success."""
        started = time.monotonic()
        if not (HERE / "target" / "classpath.txt").exists():
            print("opensearch/target/classpath.txt is missing: run `make opensearch`", file=sys.stderr)
            return 1
        for node, http, transport in self.nodes:
            if self.pid(node) is None:
                if answers(http):
                    print(f"Port {http} answers but is not our node: stop that server first", file=sys.stderr)
                    return 1
                self.launch(node, http, transport)
        deadline = started + START_TIMEOUT
        health: dict = {}
        while time.monotonic() < deadline:
            for node, _, _ in self.nodes:
                if self.pid(node) is None:
                    print(f"{node} exited; see {self.root / node / 'logs' / 'node.log'}", file=sys.stderr)
                    return 1
            try:
                port = self.nodes[0][1]
                request(port, "PUT", "/_index_template/archive-default", DEFAULT_TEMPLATE)
                health = request(
                    port,
                    "GET",
                    f"/_cluster/health?wait_for_status=green&wait_for_nodes={len(self.nodes)}&timeout=5s",
                    timeout=10,
                )
                if health.get("status") == "green" and health.get("number_of_nodes") == len(self.nodes):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(1)
        else:
            print(
                f"The cluster is not green after {START_TIMEOUT} s: {health}; see {self.root}/*/logs",
                file=sys.stderr,
            )
            return 1
        if not quiet:
            memory = ", ".join(f"{n} {rss_mb(self.pid(n) or 0):.0f} MB" for n, _, _ in self.nodes)
            print(
                f"OpenSearch cluster {self.name!r} is green in {time.monotonic() - started:.1f} s "
                f"({memory} resident)"
            )
            print("ARCHIVE_SEARCH_URL=" + self.url)
        return 0

    def kill(self, node: str) -> None:
        """Kill one node at once (``kill -9``), as a crash would."""
        pid = self.pid(node)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            self.pid_file(node).unlink(missing_ok=True)
        proc = self.procs.pop(node, None)
        if proc is not None:
            proc.wait()

    def stop(self, quiet: bool = False) -> int:
        pids = {node: pid for node, _, _ in self.nodes if (pid := self.pid(node)) is not None}
        for pid in pids.values():
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while pids and time.monotonic() < deadline:
            pids = {node: pid for node, pid in pids.items() if self.pid(node) is not None}
            time.sleep(0.3)
        for node in list(self.procs):
            if node not in pids:
                self.procs.pop(node).wait()
        for node in pids:
            print(f"{node} did not stop in {STOP_TIMEOUT} s: killed", file=sys.stderr)
            self.kill(node)
        if not quiet:
            print("OpenSearch cluster stopped")
        return 0

    def status(self) -> int:
        lines = []
        for node, http, _ in self.nodes:
            pid = self.pid(node)
            state = f"pid {pid}, {rss_mb(pid):.0f} MB resident" if pid else "not running"
            lines.append(f"{node} http://{HOST}:{http}: {state}")
        health: dict = {}
        for _, http, _ in self.nodes:
            try:
                health = request(http, "GET", "/_cluster/health")
            except (OSError, ValueError) as exc:
                health = {"error": str(exc)}
                continue
            break
        print("\n".join(lines) + "\n" + json.dumps(health, indent=1))
        return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--ports", default=",".join(map(str, HTTP_PORTS)), help="HTTP ports, one per node")
    parser.add_argument("--dir", type=Path, default=ROOT, help="the nodes' data, logs and pid files")
    parser.add_argument("--name", default=CLUSTER, help="the cluster's name")
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir, tuple(int(p) for p in args.ports.split(",")), args.name)
    return getattr(cluster, args.command)()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
