"""Claim forms: shape only (the service holds the rules and their messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from memberportal.claims.models import NOTE_MAX, REASON_MAX, STORE_MAX


class ClaimForm(FlaskForm):
    store = StringField(
        _l("Store"), validators=[DataRequired(message=_l("Enter the store where you bought.")),
                                 Length(max=STORE_MAX)],
    )  # fmt: skip
    purchased_on = DateField(
        _l("Date of purchase"),
        validators=[InputRequired(message=_l("Enter the date on the receipt."))],
    )
    amount = StringField(
        _l("Amount paid (yuan)"),
        validators=[DataRequired(message=_l("Enter the amount on the receipt."))],
        render_kw={"inputmode": "decimal"},
    )
    receipt = FileField(
        _l("Photo of the receipt"), render_kw={"accept": "image/*", "capture": "environment"}
    )
    note = TextAreaField(
        _l("Anything the staff should know (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)], render_kw={"rows": 2},
    )  # fmt: skip
    submit = SubmitField(_l("Send the claim"))


class ApproveForm(FlaskForm):
    submit = SubmitField(_l("Approve and record the purchase"))


class RejectForm(FlaskForm):
    reason = StringField(
        _l("Reason (the member reads it)"),
        validators=[DataRequired(message=_l("Give the member a reason for the rejection.")),
                    Length(max=REASON_MAX)],
    )  # fmt: skip
    submit = SubmitField(_l("Reject"))
