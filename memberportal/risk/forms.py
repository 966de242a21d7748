"""Risk forms: shape only (the services hold the ranges and their messages)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from memberportal.core.money import parse_cents


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ThresholdsForm(FlaskForm):
    big_purchase = StringField(
        _l("Flag a single purchase above (yuan)"), filters=[_strip],
        validators=[InputRequired(message=_l("Between ¥1 and ¥1,000,000."))],
    )  # fmt: skip
    daily_purchases = IntegerField(
        _l("Flag more than this many purchases by one member in one day"),
        validators=[InputRequired(message=_l("Between 1 and 1000."))],
    )
    refund_rate_pct = IntegerField(
        _l("Flag refunds above this % of a member's purchases over 30 days"),
        validators=[InputRequired(message=_l("Between 1 and 99 percent."))],
    )
    referrals_per_day = IntegerField(
        _l("Flag more than this many friends joining through one member's link in one day"),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save thresholds"))

    def big_purchase_cents(self) -> int:
        return parse_cents(self.big_purchase.data)


class ReviewForm(FlaskForm):
    note = TextAreaField(
        _l("Review note"), filters=[_strip],
        validators=[InputRequired(message=_l("Write a note of at most 500 characters."))],
        render_kw={"maxlength": 500, "rows": 2},
    )  # fmt: skip
    submit = SubmitField(_l("Mark reviewed"))


class FreezeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), filters=[_strip],
        validators=[InputRequired(message=_l("Give a reason of at most 500 characters."))],
        render_kw={"maxlength": 500, "rows": 2},
    )  # fmt: skip
    submit = SubmitField(_l("Freeze account"))


class UnfreezeForm(FlaskForm):
    submit = SubmitField(_l("Unfreeze"))
