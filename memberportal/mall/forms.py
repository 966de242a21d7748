"""Mall forms: shape only (required, ranges); the rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from memberportal.mall.rules import KIND_LABELS


class ItemForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=4000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=4000)])
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    coupon_template_id = SelectField(
        _l("Coupon it gives"),
        coerce=int,
        default=0,
        description=_l(
            "Coupon items only: the member receives this coupon at once when they redeem. "
            "Create it under Coupons first, for “Points mall”."
        ),
    )
    points_price = IntegerField(
        _l("Points price"), validators=[InputRequired(), NumberRange(min=0, max=10**9)]
    )
    cash = StringField(_l("Cash part in yuan (0 for points only)"), default="0")
    stock = IntegerField(_l("Stock"), default=0, validators=[Optional(), NumberRange(min=0)])
    per_member_limit = IntegerField(
        _l("Limit per member (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )
    sale_starts_at = DateTimeLocalField(_l("On sale from"), validators=[Optional()])
    sale_ends_at = DateTimeLocalField(_l("On sale until"), validators=[Optional()])
    min_tier_id = SelectField(_l("Minimum tier"), coerce=int, default=0)
    paid_only = BooleanField(_l("Paid-card members only"))
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP)"))
    submit = SubmitField(_l("Save"))


class RestockForm(FlaskForm):
    units = IntegerField(
        _l("Units to add"), validators=[InputRequired(), NumberRange(min=-100000, max=100000)]
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Restock"))


class CodesForm(FlaskForm):
    codes = TextAreaField(_l("Codes, one per line"), validators=[DataRequired()])
    submit = SubmitField(_l("Add codes"))


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=64)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Add category"))


class CategoryEditForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=64)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=64)])
    rank = IntegerField(
        _l("Order (lower first)"), default=0, validators=[InputRequired(), NumberRange(0, 999)]
    )
    submit = SubmitField(_l("Save category"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Confirm"))


class StaffCancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Cancel the order"))


class RedeemForm(FlaskForm):
    """Quantity, the one-time request key, and (for shipped items) where to send it; the
    service decides whether the address is required and checks its content."""

    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[InputRequired(), NumberRange(min=1, max=10)]
    )
    request_key = HiddenField()
    ship_name = StringField(_l("Recipient"), validators=[Optional(), Length(max=40)])
    ship_phone = TelField(_l("Phone"), validators=[Optional(), Length(max=20)])
    ship_address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Confirm redemption"))


class MemberCancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel this order"))


class HandOverForm(FlaskForm):
    code = StringField(_l("Pickup code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Hand over"))


class ShipForm(FlaskForm):
    carrier = StringField(_l("Carrier"), validators=[DataRequired(), Length(max=64)])
    tracking_no = StringField(_l("Tracking number"), validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Mark shipped"))


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    q = SearchField(_l("Pickup code, member number or phone"))
    status = SelectField(_l("Status"), default="")
    kind = SelectField(_l("Kind"), default="")
