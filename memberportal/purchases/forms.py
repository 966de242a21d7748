"""Cashier forms: shape only; amounts are parsed by core.money, rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class PurchaseForm(FlaskForm):
    amount = StringField(_l("Amount (yuan)"), validators=[DataRequired()])
    order_ref = StringField(_l("Order reference"), validators=[DataRequired(), Length(max=64)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record purchase"))


class RefundForm(FlaskForm):
    amount = StringField(_l("Refund amount (yuan)"))
    # One key per rendered form: a double click or a resubmitted page records one refund.
    request_key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    submit = SubmitField(_l("Refund"))
