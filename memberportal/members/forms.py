"""Member lookup form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    q = SearchField(_l("Card code, member number, phone or name"))
