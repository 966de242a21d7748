"""Owner forms for API clients."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ClientForm(FlaskForm):
    name = StringField(
        _l("Client name (store or shop system)"), validators=[DataRequired(), Length(max=100)]
    )
    submit = SubmitField(_l("Create API client"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
