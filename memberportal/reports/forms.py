"""The period picker: a GET form that changes nothing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

PERIOD_CHOICES = [
    SelectChoice("this_month", _l("This month")),
    SelectChoice("last_month", _l("Last month")),
    SelectChoice("last_90_days", _l("Last 90 days")),
    SelectChoice("this_year", _l("This year")),
    SelectChoice("custom", _l("Custom")),
]


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    period = SelectField(_l("Report period"), choices=PERIOD_CHOICES, default="this_month")
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
