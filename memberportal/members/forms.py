"""Member lookup and the staff's birthday correction: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    q = SearchField(_l("Card code, member number, phone or name"))


class BirthdayForm(FlaskForm):
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Correct the birthday"))
