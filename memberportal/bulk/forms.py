"""Bulk forms: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    submit = SubmitField(_l("Upload and preview"))


class StepForm(FlaskForm):
    """Confirm, cancel and continue carry nothing but the CSRF token."""
