"""Staff forms for points: shape only."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday"))  # fmt: skip


def _weekday(value) -> int | None:
    return None if value in (None, "", "None") else int(value)


class PercentField(IntegerField):
    """A rate typed as a percentage ("12.5") and held in basis points (1250)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data / 100:g}"

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip().rstrip("%").strip()
        self.data = None
        if not text:
            return
        try:
            bps = Decimal(text) * 100
        except InvalidOperation:
            raise ValueError(_l("Enter a percentage such as 10 or 12.5.")) from None
        if bps != bps.to_integral_value():
            raise ValueError(_l("Enter a percentage such as 10 or 12.5."))
        self.data = int(bps)


class AdjustForm(FlaskForm):
    points = IntegerField(
        _l("Points (negative to take)"), validators=[InputRequired(), NumberRange(-(10**7), 10**7)]
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Adjust points"))


class RulesForm(FlaskForm):
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
    clearing_years_after = IntegerField(
        _l("Years after earning (clearing)"), validators=[NumberRange(0, 10)]
    )
    interaction_cap_pct = IntegerField(
        _l("Interactions: at most this % of each tier threshold"), validators=[NumberRange(0, 100)]
    )
    qualification_months = IntegerField(
        _l("Qualification period (months)"), validators=[NumberRange(1, 120)]
    )
    member_day = IntegerField(
        _l("Member day (day of month, empty for none)"),
        validators=[Optional(), NumberRange(1, 28)],
    )
    member_day_weekday = SelectField(
        _l("Or a weekly member day"),
        choices=[SelectChoice(None, _l("No weekly member day"))]
        + [SelectChoice(n, day) for n, day in enumerate(WEEKDAYS, start=1)],
        coerce=_weekday,
    )
    member_day_multiplier_pct = IntegerField(
        _l("Member day multiplier (%)"), validators=[NumberRange(100, 1000)]
    )
    member_day_discount_bps = PercentField(
        _l("Member day discount at the till (percent off, 0 for none)"),
        validators=[
            InputRequired(),
            NumberRange(0, 9000, message=_l("Enter a discount from 0 to 90 percent.")),
        ],
    )
    birthday_multiplier_pct = IntegerField(
        _l("Points multiplier in the member's birthday month (percent, 100 for none)"),
        validators=[InputRequired(), NumberRange(100, 1000)],
    )
    sign_in_growth = IntegerField(
        _l("Growth for a daily sign-in"), validators=[InputRequired(), NumberRange(0, 10000)]
    )
    profile_growth = IntegerField(
        _l("Growth for completing the profile (once)"),
        validators=[InputRequired(), NumberRange(0, 10000)],
    )
    review_growth = IntegerField(
        _l("Growth for reviewing a purchase (once per purchase)"),
        validators=[InputRequired(), NumberRange(0, 10000)],
    )
    referral_points = IntegerField(
        _l("Points for inviting a new member (valid 6 months)"),
        validators=[InputRequired(), NumberRange(0, 100000)],
    )
    share_growth = IntegerField(
        _l("Growth for inviting a new member"),
        validators=[InputRequired(), NumberRange(0, 10000)],
    )
    sign_in_points = IntegerField(
        _l("Points for a daily sign-in"), validators=[InputRequired(), NumberRange(0, 100000)]
    )
    streak_bonus_days = IntegerField(
        _l("Sign-in streak bonus every N consecutive days"),
        validators=[InputRequired(), NumberRange(2, 31)],
    )
    streak_bonus_points = IntegerField(
        _l("Streak bonus points"), validators=[InputRequired(), NumberRange(0, 100000)]
    )
    streak_bonus_growth = IntegerField(
        _l("Streak bonus growth"), validators=[InputRequired(), NumberRange(0, 10000)]
    )
    referral_welcome_points = IntegerField(
        _l("Points for a new member who joins through an invite (valid 6 months)"),
        validators=[InputRequired(), NumberRange(0, 100000)],
    )
    referral_monthly_cap = IntegerField(
        _l("Invites rewarded per member and month"),
        validators=[InputRequired(), NumberRange(0, 1000)],
    )
    referral_hold_until_purchase = BooleanField(
        _l("Reward the inviter only after the friend's first purchase")
    )
    approval_threshold_points = IntegerField(
        _l("A staff adjustment of more points than this needs a second person's approval"),
        validators=[InputRequired(), NumberRange(0, 10**7)],
    )
    submit = SubmitField(_l("Save rules"))
    preview = SubmitField(_l("Preview the change"))


class DecisionForm(FlaskForm):
    note = StringField(_l("Why (for a rejection)"), validators=[Length(max=500)])
