"""htmx helpers: fragment-or-page rendering and post-success navigation."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render `fragment` for an htmx request and `page` otherwise; caches keep them apart."""
    template = fragment if fragment and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect_after_post(location: str):
    """303 for a plain form; HX-Redirect so htmx does a full navigation."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)
