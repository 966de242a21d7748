"""`make run` announces the site only once it answers; a dead server is not waited on."""

import subprocess
import sys


def test_a_server_that_is_gone_is_not_waited_for():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    result = subprocess.run(
        [sys.executable, "-m", "memberportal.wait_for", "http://127.0.0.1:9/healthz",
         str(gone.pid), "20"],
        timeout=15,
    )  # fmt: skip
    assert result.returncode == 1


def test_a_server_that_answers_is_announced():
    import os
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Healthy(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "memberportal.wait_for",
             f"http://127.0.0.1:{server.server_port}/healthz", str(os.getpid()), "20"],
            timeout=15,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0
