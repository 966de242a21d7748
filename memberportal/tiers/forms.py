"""Forms for interactions and the owner's tier editor: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    ColorField,
    DateField,
    DecimalField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class SignInForm(FlaskForm):
    submit = SubmitField(_l("Check in"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    # Set once by the member (then shown read-only; staff correct it): see members.services.
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    submit = SubmitField(_l("Save profile"))


class TierForm(FlaskForm):
    """The owner's tier editor (the rules live in tiers.editor)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=16)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=64)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=64)])
    growth_threshold = IntegerField(
        _l("Growth threshold"),
        validators=[InputRequired(), NumberRange(0, 10**9)],
        description=_l("Growth a member needs to reach this tier; the entry tier has 0."),
    )
    points_multiplier_pct = IntegerField(
        _l("Points multiplier (%)"),
        default=100,
        validators=[InputRequired(), NumberRange(100, 1000)],
        description=_l("100 earns the base rate; 150 earns one and a half times."),
    )
    paid_discount_pct = DecimalField(
        _l("Paid-card discount at this tier (% off)"),
        default=0,
        places=2,
        validators=[InputRequired(), NumberRange(0, 100)],
        description=_l("What a paid-card holder at this tier saves at the till, e.g. 5 for 95折."),
    )
    benefits_zh = TextAreaField(_l("Benefits (Chinese)"), validators=[Length(max=2000)])
    benefits_en = TextAreaField(_l("Benefits (English)"), validators=[Length(max=2000)])
    colour = ColorField(_l("Card colour"), default="#6b7280", validators=[DataRequired()])
    submit = SubmitField(_l("Save tier"))
    preview = SubmitField(_l("Preview the change"))


class TierActionForm(FlaskForm):
    """CSRF only: retire or delete."""
