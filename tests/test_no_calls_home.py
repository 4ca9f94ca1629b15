"""Nothing leaves the machine: the server, started as `streamlit run app.py` with the project's
own .streamlit/config.toml, looks up and connects to the loopback address only.

The subprocess loads tests/netguard/sitecustomize.py, which records every name lookup and
outgoing connection of the Python process into a file. The app then serves its health check
and a run of every page over its WebSocket, as a browser would ask for it. Online geocoding is
the one opt-in exception and stays off (its checkbox on the Data page is never ticked here).
Native code (DuckDB) is not seen by the recorder; the browser test records the other side.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

from calc import store

REPO_DIR = Path(__file__).resolve().parent.parent
NETGUARD_DIR = Path(__file__).resolve().parent / "netguard"
NET_LOG_ENV = "WEGBILANZ_NET_LOG"
LOCAL_NAMES = {"localhost", "", "None"}  # "None": getaddrinfo(None, port) binds, never leaves
# Bounds on waiting for a condition, not timed assertions: a cold start computes the cube.
START_TIMEOUT_S = 90
RUN_TIMEOUT_S = 120
STOP_TIMEOUT_S = 10
# The pages by url path, as the navigation in app.py names them.
SLUGS = ("overview", "offices", "staff", "scenarios", "presenter", "workshop", "data", "method")


@dataclass
class RecordedServer:
    port: int
    net_log: Path
    log_path: Path

    def records(self) -> list[dict[str, object]]:
        if not self.net_log.exists():
            return []
        lines = self.net_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]

    def log_tail(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]


def is_loopback(host: str) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def recorder_env(net_log: Path, **extra: str) -> dict[str, str]:
    """The environment of a recorded subprocess: the recorder first on its PYTHONPATH."""
    path = os.pathsep.join(p for p in (str(NETGUARD_DIR), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, NET_LOG_ENV: str(net_log), **extra}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="module")
def recorded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordedServer]:
    """`streamlit run app.py` as an office would start it the first time: no address or
    telemetry flags, so .streamlit/config.toml decides (only the port and the file watcher are
    set for the test), and a new store, so the first page loads the demo data itself."""
    folder = tmp_path_factory.mktemp("no-calls-home")
    database = folder / "app.duckdb"
    running = RecordedServer(_free_port(), folder / "net.jsonl", folder / "streamlit.log")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",  # as in a service: the case in which Streamlit looks up its IP
        f"--server.port={running.port}",
        "--server.fileWatcherType=none",
    ]
    env = recorder_env(running.net_log, **{store.DB_PATH_ENV: str(database)})
    with running.log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        health = f"http://127.0.0.1:{running.port}/_stcore/health"
        while not _healthy(health):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{running.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {START_TIMEOUT_S} s:\n{running.log_tail()}"
                )
            time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_page(stream: ClientConnection, slug: str) -> list[ForwardMsg]:
    """Ask for a run of a page as the browser does and read the messages until it is over."""
    request = BackMsg()
    request.rerun_script.query_string = "lang=en"
    request.rerun_script.page_name = "" if slug == SLUGS[0] else slug
    stream.send(request.SerializeToString())
    received = []
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        message = ForwardMsg()
        message.ParseFromString(stream.recv(timeout=max(deadline - time.monotonic(), 0.1)))
        received.append(message)
        if (
            message.WhichOneof("type") == "script_finished"
            and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        ):
            return received


def test_recorder_sees_a_lookup(tmp_path: Path) -> None:
    # GIVEN a Python process with the recorder on its path
    net_log = tmp_path / "net.jsonl"
    # WHEN it looks up a name
    subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('localhost', 8501)"],
        env=recorder_env(net_log),
        check=True,
    )
    # THEN the lookup is in the file: an empty file below means silence, not a broken recorder
    recorded = [json.loads(line) for line in net_log.read_text(encoding="utf-8").splitlines()]
    assert {"call": "getaddrinfo", "host": "localhost", "port": 8501} in recorded


def test_server_start_and_every_page_stay_on_loopback(recorded_server: RecordedServer) -> None:
    # GIVEN the app as started above (healthy, so its start-up, where Streamlit would ask
    # checkip.amazonaws.com for an external IP, is over)
    url = f"ws://127.0.0.1:{recorded_server.port}/_stcore/stream"
    # WHEN a browser session runs every page of the navigation
    with connect(url, subprotocols=["streamlit"], open_timeout=RUN_TIMEOUT_S) as stream:
        for slug in SLUGS:
            messages = run_page(stream, slug)
            kinds = {m.WhichOneof("type") for m in messages}
            assert "delta" in kinds, f"{slug}: the run drew nothing"
            exceptions = [
                m.delta.new_element.exception.message
                for m in messages
                if m.WhichOneof("type") == "delta"
                and m.delta.new_element.WhichOneof("type") == "exception"
            ]
            assert not exceptions, f"{slug}: {exceptions}\n{recorded_server.log_tail()}"
    # THEN every name looked up and every address connected to is the loopback address
    records = recorded_server.records()
    assert any(r["call"] == "loaded" for r in records), "the recorder did not run in the server"
    targets = [r for r in records if r["call"] != "loaded"]
    outside = [target for target in targets if not is_loopback(str(target["host"]))]
    assert not outside, f"calls off the machine: {outside}\n{recorded_server.log_tail()}"
