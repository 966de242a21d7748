"""Data-rights forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SubmitField


class ExportForm(FlaskForm):
    submit = SubmitField(_l("Download my data (zip)"))


class CloseForm(FlaskForm):
    password = PasswordField(_l("Your password"), render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(
        _l("I understand: my points are forfeited and my account cannot be restored.")
    )
    submit = SubmitField(_l("Close my account"))
