"""Cashier forms: shape only; amounts are parsed by core.money, rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class CheckoutForm(FlaskForm):
    """One sale: the amount typed once, the member's coupon chosen on the same screen."""

    amount = StringField(_l("Order amount (yuan)"), validators=[DataRequired()])
    # 0 = no coupon; the choices are the member's usable coupons, set by the view.
    coupon = RadioField(_l("Coupon"), coerce=int, default=0, validators=[Optional()])
    order_ref = StringField(_l("Order reference"), validators=[DataRequired(), Length(max=64)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    # "yes" once the cashier confirmed an amount above the owner's big-purchase threshold.
    confirm_large = HiddenField()
    submit = SubmitField(_l("Confirm"))


class RefundForm(FlaskForm):
    amount = StringField(_l("Refund amount (yuan)"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    # One key per rendered form: a double click or a resubmitted page records one refund.
    request_key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    # "yes" on the confirmation step, after the cashier saw what the refund takes back.
    confirmed = HiddenField()
    submit = SubmitField(_l("Refund"))
