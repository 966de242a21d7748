"""Locale choice and bilingual fields."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The language the visitor chose (cookie), else the browser's best match, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


def localized(zh: str, en: str) -> str:
    """Pick the field for the current language, falling back to the other one when empty."""
    if current_language() == "en":
        return en or zh
    return zh or en
