"""Receipt photos: checked like mall images (mall.images.check_image), kept private under
instance/uploads/claims, shown only to the member who sent them and to staff who decide."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import current_app

from memberportal.mall.images import check_image

NAME_RE = re.compile(r"^[0-9a-f]{64}\.(png|jpg|gif|webp)$")


def receipt_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "claims"


def store_receipt(data: bytes) -> str:
    """Check and store the photo under a name made of its hash; return that name. Raises
    mall.errors.InvalidImage for anything but a PNG, JPEG, GIF or WebP of a sane size."""
    extension, _w, _h = check_image(data)
    name = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    folder = receipt_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return name


def is_receipt_name(name: str | None) -> bool:
    return bool(NAME_RE.match(name or ""))


def delete_receipt(name: str | None) -> None:
    """Remove a stored photo (the caller checks no other claim names it)."""
    if is_receipt_name(name):
        (receipt_dir() / name).unlink(missing_ok=True)
