"""Stored-value forms: shape only (required, ranges, money parsing); rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from memberportal.core.errors import DomainError
from memberportal.core.money import parse_cents


def _cents(text: str | None, *, allow_zero: bool = False) -> int:
    try:
        return parse_cents(text, allow_zero=allow_zero)
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


class AmountField(StringField):
    """An amount in yuan typed by a person; `.cents` once validated."""

    cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if (self.data or "").strip():
            self.cents = _cents(self.data, allow_zero=getattr(self, "allow_zero", False))


class ZeroAmountField(AmountField):
    allow_zero = True


class PostForm(FlaskForm):
    """A button that only needs the CSRF token."""


class CounterLookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup changes nothing

    code = StringField(_l("Member's code, member number or phone"), validators=[Optional()])
    amount = AmountField(_l("Amount in yuan"), validators=[Optional()])


class CounterPayForm(FlaskForm):
    member_id = HiddenField(validators=[DataRequired()])
    amount = AmountField(_l("Amount in yuan"), validators=[DataRequired()])
    order_ref = HiddenField(validators=[DataRequired(), Length(max=64)])


class SpendRefundForm(FlaskForm):
    amount = AmountField(_l("Amount to refund in yuan"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    refund_ref = HiddenField(validators=[DataRequired(), Length(max=64)])


class PlanForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    pay = AmountField(_l("Member pays, in yuan"), validators=[DataRequired()])
    bonus = ZeroAmountField(_l("Bonus added, in yuan"), default="0")
    bonus_points = IntegerField(
        _l("Bonus points"), default=0, validators=[InputRequired(), NumberRange(0, 1_000_000)]
    )
    min_tier_id = SelectField(_l("Lowest tier that may buy it"), coerce=int, default=0)
    starts_on = DateField(_l("On sale from (optional)"), validators=[Optional()])
    ends_on = DateField(_l("On sale until (optional, last day)"), validators=[Optional()])
    active = BooleanField(_l("On sale"), default=True)


class SettingsForm(FlaskForm):
    tier_needs_balance = BooleanField(
        _l("Tier tied to balance: members with no stored balance lose these tiers' benefits")
    )
    tier_ids = SelectMultipleField(_l("Tiers that need a stored balance"), coerce=int)
