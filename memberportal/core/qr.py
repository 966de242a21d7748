"""QR codes the site draws: standard QR (never Micro QR) with the standard quiet zone.

Short payloads such as a pickup code would otherwise come out as Micro QR, which common phone
cameras and many till scanners cannot read. Every code goes through `make`, drawn on the
server as SVG, so pages need no script.
"""

from __future__ import annotations

import io

import segno
from flask import Response

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
COLOURS = {"dark": "#111", "light": "#fff"}


def make(payload: str) -> segno.QRCode:
    """A standard QR code with medium error correction (survives a scratched screen)."""
    return segno.make_qr(payload, error="m")


def svg(payload: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    make(payload).save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, **COLOURS)
    return buffer.getvalue()


def svg_response(payload: str, *, scale: int = 6) -> Response:
    """The code as an image of its own, never cached (it is the member's)."""
    response = Response(svg(payload, scale=scale), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def svg_data_uri(payload: str, *, scale: int = 5) -> str:
    """The code inside the page, when the payload must not become a URL of its own."""
    return make(payload).svg_data_uri(scale=scale, border=QUIET_ZONE, xmldecl=False, **COLOURS)
