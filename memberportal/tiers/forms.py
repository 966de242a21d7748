"""Member forms for interactions: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class SignInForm(FlaskForm):
    submit = SubmitField(_l("Check in"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    # Set once by the member (then shown read-only; staff correct it): see members.services.
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    submit = SubmitField(_l("Save profile"))
