"""A local two-node OpenSearch cluster: `start` (wait for green, print the URL), `stop`, `status`.

Each node is its own JVM (opensearch/ArchiveNode), HTTP on 127.0.0.1:9200 and 9201, transport on 9300 and
9301; data, logs and pid files live under .opensearch/ (OPENSEARCH_DIR). Needs only the standard library,
Java 17 and the class path that `mvn package` wrote to opensearch/target/classpath.txt.
"""

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
NODES = [(f"node-{i + 1}", 9200 + i, 9300 + i) for i in range(2)]
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


def node_yml(name: str, http: int, transport: int) -> str:
    seeds = ", ".join(f'"{HOST}:{t}"' for _, _, t in NODES)
    names = ", ".join(f'"{n}"' for n, _, _ in NODES)
    return (
        f"cluster.name: {CLUSTER}\n"
        f"node.name: {name}\n"
        "node.roles: [cluster_manager, data, ingest]\n"
        f"network.host: {HOST}\n"
        f"http.port: {http}\n"
        f"transport.port: {transport}\n"
        f"discovery.seed_hosts: [{seeds}]\n"
        f"cluster.initial_cluster_manager_nodes: [{names}]\n"
        # A laptop's disk is often more than 90 % full; shards must still be allocated.
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
        # Deleting an index by pattern (tests, benchmarks) is fine on a local cluster.
        "action.destructive_requires_name: false\n"
    )


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


def pid_file(name: str) -> Path:
    return ROOT / name / "node.pid"


def running_pid(name: str) -> int | None:
    """The node's process id while it runs, else None (a stale pid file is removed)."""
    path = pid_file(name)
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"archive.opensearch.ArchiveNode" not in cmdline.read_bytes():
        path.unlink(missing_ok=True)  # the pid was reused by another program
        return None
    return pid


def launch(name: str, http: int, transport: int) -> None:
    home = ROOT / name
    config = home / "config"
    for sub in (config, home / "data", home / "logs"):
        sub.mkdir(parents=True, exist_ok=True)
    (config / "opensearch.yml").write_text(node_yml(name, http, transport))
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
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    pid_file(name).write_text(str(proc.pid))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start() -> int:
    started = time.monotonic()
    if not (HERE / "target" / "classpath.txt").exists():
        print("opensearch/target/classpath.txt is missing: run `make opensearch`", file=sys.stderr)
        return 1
    for name, http, transport in NODES:
        if running_pid(name) is None:
            if answers(http):
                print(f"Port {http} answers but is not our node: stop that server first", file=sys.stderr)
                return 1
            launch(name, http, transport)
    deadline = started + START_TIMEOUT
    health: dict = {}
    while time.monotonic() < deadline:
        for name, _, _ in NODES:
            if running_pid(name) is None:
                print(f"{name} exited; see {ROOT / name / 'logs' / 'node.log'}", file=sys.stderr)
                return 1
        try:
            request(NODES[0][1], "PUT", "/_index_template/archive-default", DEFAULT_TEMPLATE)
            health = request(
                NODES[0][1],
                "GET",
                f"/_cluster/health?wait_for_status=green&wait_for_nodes={len(NODES)}&timeout=5s",
                timeout=10,
            )
            if health.get("status") == "green" and health.get("number_of_nodes") == len(NODES):
                break
        except (OSError, ValueError):
            pass
        time.sleep(1)
    else:
        print(
            f"The cluster is not green after {START_TIMEOUT} s: {health}; see {ROOT}/*/logs", file=sys.stderr
        )
        return 1
    memory = ", ".join(f"{n} {rss_mb(running_pid(n) or 0):.0f} MB" for n, _, _ in NODES)
    print(
        f"OpenSearch cluster {CLUSTER!r} is green in {time.monotonic() - started:.1f} s ({memory} resident)"
    )
    print("ARCHIVE_SEARCH_URL=" + ",".join(f"http://{HOST}:{http}" for _, http, _ in NODES))
    return 0


def stop() -> int:
    pids = {name: pid for name, _, _ in NODES if (pid := running_pid(name)) is not None}
    for pid in pids.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while pids and time.monotonic() < deadline:
        pids = {name: pid for name, pid in pids.items() if running_pid(name) is not None}
        time.sleep(0.3)
    for name, pid in pids.items():
        print(f"{name} did not stop in {STOP_TIMEOUT} s: killed", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        pid_file(name).unlink(missing_ok=True)
    print("OpenSearch cluster stopped")
    return 0


def status() -> int:
    lines = []
    for name, http, _ in NODES:
        pid = running_pid(name)
        state = f"pid {pid}, {rss_mb(pid):.0f} MB resident" if pid else "not running"
        lines.append(f"{name} http://{HOST}:{http}: {state}")
    for _, http, _ in NODES:
        try:
            health = request(http, "GET", "/_cluster/health")
        except (OSError, ValueError) as exc:
            health = {"error": str(exc)}
            continue
        break
    print("\n".join(lines) + "\n" + json.dumps(health, indent=1))
    return 0


if __name__ == "__main__":
    commands = {"start": start, "stop": stop, "status": status}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} start|stop|status")
    sys.exit(commands[sys.argv[1]]())
