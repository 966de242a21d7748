"""Coupon forms: shape only (required, ranges, money parsing); the rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from memberportal.core.errors import DomainError
from memberportal.core.money import parse_cents
from memberportal.coupons.models import MAX_VALID_DAYS


def _cents(field, *, allow_zero: bool) -> int:
    try:
        return parse_cents(field.data, allow_zero=allow_zero)
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


class TemplateForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    amount = StringField(_l("Amount off, in yuan"), validators=[DataRequired()])
    min_spend = StringField(_l("Minimum spend in yuan (0: no threshold)"), default="0")
    valid_days = IntegerField(
        _l("Valid for (days after issue)"),
        default=30,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_VALID_DAYS)],
        description=_l(
            "Counted from the day of issue. Birthday coupons: 1 to 31 days, and never past the "
            "end of the birthday month, whichever ends first. Member-day coupons: 1 (valid on "
            "the member day only)."
        ),
    )
    source = RadioField(
        _l("Who receives it"),
        choices=[
            SelectChoice("tier", _l("Members at a tier")),
            SelectChoice("paid", _l("Paid-card holders")),
            SelectChoice(
                "birthday", _l("Birthday month: once a year, in the member's birthday month")
            ),
            SelectChoice("member_day", _l("Member day: once a month, on the program's member day")),
            SelectChoice(
                "mall", _l("Points mall: bought by redeeming a mall item (choose it on the item)")
            ),
        ],
        default="tier",
    )
    tier_id = SelectField(
        _l("Tier"),
        coerce=int,
        default=0,
        description=_l(
            "Tier coupons: issued on reaching this tier (members above it get it too). Birthday "
            "and member-day coupons: only for members at this tier or above; “No tier” means "
            "every member. Paid-card and points-mall coupons: leave it at “No tier”."
        ),
    )
    per_quarter = BooleanField(_l("Paid card: issue it again every quarter (not once per period)"))
    submit = SubmitField(_l("Save"))

    def validate_amount(self, field):
        self.amount_cents = _cents(field, allow_zero=False)

    def validate_min_spend(self, field):
        field.data = field.data or "0"
        self.min_spend_cents = _cents(field, allow_zero=True)


class ActiveForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField(_l("Coupon code"), validators=[Length(max=40)])
    submit = SubmitField(_l("Find coupon"))


class WriteOffForm(FlaskForm):
    code = StringField(_l("Coupon code"), validators=[DataRequired(), Length(max=40)])
    order_amount = StringField(_l("Order amount (yuan)"), validators=[DataRequired()])
    member_id = HiddenField()
    submit = SubmitField(_l("Write off"))

    def validate_order_amount(self, field):
        self.order_cents = _cents(field, allow_zero=False)
