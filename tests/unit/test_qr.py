"""Every code the site draws is a standard QR that a real decoder reads back."""

import io

import pytest
import segno
import zxingcpp
from PIL import Image

from memberportal.core import qr

# What the site draws: a pickup code, a coupon code, a card code, a reset link.
PAYLOADS = ["K7Q2M9XP", "ABCDE23456", "853DA3903938C70", "http://127.0.0.1/reset/abc?t=xyz"]


def decode_png(png: bytes) -> list:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))


def png_of(code: segno.QRCode) -> bytes:
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=6, border=qr.QUIET_ZONE)
    return buffer.getvalue()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_code_is_standard_qr_and_decodes_to_its_payload(payload):
    code = qr.make(payload)
    assert not code.is_micro
    (found,) = decode_png(png_of(code))
    assert found.text == payload
    assert found.format == zxingcpp.BarcodeFormat.QRCode


def test_short_codes_were_micro_qr_before():
    """What the site drew before: segno picks Micro QR for a short pickup code."""
    old = segno.make("K7Q2M9XP", error="m")
    assert old.is_micro
    (found,) = decode_png(png_of(old))
    assert found.format != zxingcpp.BarcodeFormat.QRCode


def test_the_svg_keeps_the_standard_quiet_zone():
    svg = qr.svg("K7Q2M9XP", scale=1).decode()
    size = qr.make("K7Q2M9XP").symbol_size(scale=1, border=qr.QUIET_ZONE)
    assert f'width="{size[0]}"' in svg and 'fill="#fff"' in svg
