"""Wait until a URL answers 200 while the server process lives: `wait_for.py URL PID [SECONDS]`.

Used by `make run` to say the site is running only once it is; the app never imports it."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def main() -> int:
    url, pid = sys.argv[1], int(sys.argv[2])
    deadline = time.monotonic() + float(sys.argv[3] if len(sys.argv) > 3 else 60)
    while time.monotonic() < deadline and alive(pid):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our URL
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return 1


if __name__ == "__main__":
    sys.exit(main())
