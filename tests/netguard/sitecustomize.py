"""Records every name lookup and outgoing connection of the Python process it is loaded into.

Put on PYTHONPATH of a subprocess only (tests/test_no_calls_home.py does): Python imports
`sitecustomize` at start, before the app. Each lookup or connection is appended to the file
named by $WEGBILANZ_NET_LOG as one JSON line {"call": ..., "host": ..., "port": ...}; the call
then goes ahead as usual, so the app behaves as it would without the recorder.
"""

import json
import os
import socket
import threading
from pathlib import Path

_LOG = os.environ.get("WEGBILANZ_NET_LOG")
_LOCK = threading.Lock()


def _record(call: str, address: object) -> None:
    host, port = address[:2] if isinstance(address, tuple) else (address, None)
    line = json.dumps({"call": call, "host": str(host), "port": port})
    with _LOCK, Path(str(_LOG)).open("a", encoding="utf-8") as log:
        log.write(line + "\n")


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _create_connection = socket.create_connection
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, port, *args, **kwargs):
        _record("getaddrinfo", (host, port))
        return _getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        _record("create_connection", address)
        return _create_connection(address, *args, **kwargs)

    # Lower down too: urllib3, asyncio and a UDP "connect" (Streamlit's internal-IP probe)
    # reach the network through socket.connect without socket.create_connection.
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", address)
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect_ex", address)
        return _connect_ex(self, address)

    _record("loaded", (f"pid {os.getpid()}", None))  # not a target: says the recorder runs
    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
