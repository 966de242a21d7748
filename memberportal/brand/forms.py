"""The first-run setup's forms: shape only (the rules are in brand.services and points)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange


class BrandForm(FlaskForm):
    name = StringField(_l("Brand name"), validators=[DataRequired(), Length(max=64)])
    time_zone = SelectField(_l("Time zone"), validators=[DataRequired()])
    currency_display = SelectField(
        _l("Show amounts as"),
        choices=[
            SelectChoice("symbol", _l("¥12.50 (symbol)")),
            SelectChoice("name", _l("12.50 yuan (in words)")),
        ],
    )
    submit = SubmitField(_l("Save the brand"))


class EarnForm(FlaskForm):
    rate_pct = IntegerField(_l("Points per 100 yuan"), validators=[NumberRange(1, 100000)])
    expiry_policy = SelectField(
        _l("Expiry"),
        choices=[
            SelectChoice("rolling", _l("Rolling: N months after the month of earning")),
            SelectChoice("yearly", _l("Yearly clearing date")),
        ],
    )
    expiry_months = IntegerField(_l("Months (rolling)"), validators=[NumberRange(1, 120)])
    clearing_month = IntegerField(_l("Clearing month"), validators=[NumberRange(1, 12)])
    clearing_day = IntegerField(_l("Clearing day"), validators=[NumberRange(1, 31)])
    submit = SubmitField(_l("Save earning and expiry"))


class FinishForm(FlaskForm):
    submit = SubmitField(_l("Open the program"))
