"""Item images: checked to be a real image of a sane size, stored under instance/uploads."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import imagesize
from flask import current_app

from memberportal.mall.errors import InvalidImage

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 64, 4096
NAME_RE = re.compile(r"^[0-9a-f]{64}\.(png|jpg|gif|webp)$")


def sniff(data: bytes) -> str | None:
    """The image format from its magic bytes (never from the file name or the browser)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_image(data: bytes) -> tuple[str, int, int]:
    """(extension, width, height) of an acceptable image; raises InvalidImage otherwise."""
    if not data or len(data) > MAX_BYTES:
        raise InvalidImage()
    extension = sniff(data)
    if extension is None:
        raise InvalidImage()
    try:
        width, height = imagesize.get(io.BytesIO(data))
    except (ValueError, OSError):
        raise InvalidImage() from None
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InvalidImage()
    return extension, width, height


def upload_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "mall"


def store_image(data: bytes) -> str:
    """Check and store the bytes under a name made of their hash; return that name."""
    extension, _w, _h = check_image(data)
    name = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return name


def is_image_name(name: str) -> bool:
    return bool(NAME_RE.match(name or ""))
