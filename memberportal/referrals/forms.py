"""The referrals search: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField


class ReferralSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    q = SearchField(_l("Member number (either side)"))
