"""Jinja filters and globals: money, points, dates in the brand's zone, htmx source."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_wtf.csrf import generate_csrf

from memberportal.core import brand
from memberportal.core.auth import current_staff_can
from memberportal.core.i18n import current_language
from memberportal.core.money import format_cents

HTMX_VERSION = "2.0.11"
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# Subresource integrity of the pinned release (the same bytes as static/vendor/htmx.min.js).
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"


def points(value: int | None) -> str:
    return format_decimal(value or 0)


def day(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date as the member reads it; datetimes are shown in the brand's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(value, fmt)  # flask-babel converts to the brand's zone
    return format_date(value, fmt)


def iso_day(value: datetime | date | None) -> str:
    """2027-03-31 in the brand's zone: the unambiguous form used beside amounts."""
    if value is None:
        return ""
    return format_date(value, "yyyy-MM-dd")


def moment(value: datetime | None, fmt: str = "short") -> str:
    return format_datetime(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        money=format_cents, points=points, day=day, iso_day=iso_day, moment=moment
    )

    @app.context_processor
    def globals_():
        return {
            "can": current_staff_can,
            "lang": current_language(),
            "csrf_token_value": generate_csrf,
            "htmx": htmx_script(),
            "brand_name": brand.current()["name"],
            "request_path": request.full_path.rstrip("?"),
            "new_request_key": lambda: uuid.uuid4().hex,
        }


def htmx_script() -> dict:
    """Where pages load htmx from: the CDN with SRI, or the pinned local copy."""
    local = url_for("static", filename="vendor/htmx.min.js")
    if current_app.config["HTMX_SOURCE"] == "local":
        return {"src": local, "integrity": None, "fallback": None}
    return {"src": HTMX_CDN, "integrity": HTMX_SRI, "fallback": local}
