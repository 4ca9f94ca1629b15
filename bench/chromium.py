"""What the browser benches share: Debian's Chromium with the flags it runs headless with here,
a free loopback port for `streamlit run`, and its health check. A module of bench/: the scripts
import it as `chromium` (their folder is the first entry of sys.path)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether a server answers url (its /_stcore/health) with 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
