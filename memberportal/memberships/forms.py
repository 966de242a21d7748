"""Paid membership forms: shape only (the plan rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from memberportal.core.errors import DomainError
from memberportal.core.money import parse_cents
from memberportal.memberships.models import PLAN_STATE_LABELS


class JoinForm(FlaskForm):
    submit = SubmitField(_l("Join now"))


class PayForm(FlaskForm):
    submit = SubmitField(_l("Pay"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel at the end of the period"))


def _cents(field, *, required: bool) -> None:
    if not (field.data or "").strip() and not required:
        return
    try:
        parse_cents(field.data, allow_zero=not required)
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


def cents_or_none(text: str | None) -> int | None:
    return parse_cents(text, allow_zero=True) if (text or "").strip() else None


class PlanForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Z0-9_-]+$", message=_l("Use A-Z, 0-9, - and _.")),
        ],
    )
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=64)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=64)])
    price = StringField(_l("Price (yuan)"), validators=[DataRequired()])
    billing_interval = SelectField(
        _l("Billing interval"),
        choices=[SelectChoice("year", _l("Yearly")), SelectChoice("month", _l("Monthly"))],
    )
    first_period_price = StringField(_l("First period price (yuan, optional)"))
    points_multiplier_pct = IntegerField(
        _l("Points multiplier (%)"), default=100, validators=[NumberRange(min=100, max=1000)]
    )
    discount_bps = IntegerField(
        _l("Discount shown to cashiers (basis points, 500 = 5%)"),
        default=0,
        validators=[NumberRange(min=0, max=10000)],
    )
    benefits_zh = TextAreaField(_l("Benefits (Chinese)"), validators=[Length(max=2000)])
    benefits_en = TextAreaField(_l("Benefits (English)"), validators=[Length(max=2000)])
    state = SelectField(
        _l("State"),
        choices=[SelectChoice(code, label) for code, label in PLAN_STATE_LABELS.items()],
    )
    stripe_price_id = StringField(
        _l("Stripe Price id (live mode)"), validators=[Optional(), Length(max=255)]
    )
    stripe_coupon_id = StringField(
        _l("Stripe Coupon id for the first period (live mode)"),
        validators=[Optional(), Length(max=255)],
    )
    submit = SubmitField(_l("Save plan"))

    def validate_price(self, field):
        _cents(field, required=True)

    def validate_first_period_price(self, field):
        _cents(field, required=False)

    def values(self) -> dict:
        return {
            "name_zh": self.name_zh.data.strip(),
            "name_en": self.name_en.data.strip(),
            "price_cents": parse_cents(self.price.data),
            "billing_interval": self.billing_interval.data,
            "first_period_price_cents": cents_or_none(self.first_period_price.data),
            "points_multiplier_pct": self.points_multiplier_pct.data,
            "discount_bps": self.discount_bps.data,
            "benefits_zh": (self.benefits_zh.data or "").strip(),
            "benefits_en": (self.benefits_en.data or "").strip(),
            "state": self.state.data,
            "stripe_price_id": (self.stripe_price_id.data or "").strip() or None,
            "stripe_coupon_id": (self.stripe_coupon_id.data or "").strip() or None,
        }
