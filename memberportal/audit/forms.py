"""The audit trail's filters: a GET form that changes nothing (shape only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from memberportal.audit.labels import ACTION_LABELS, SUBJECT_LABELS


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any"))] + [SelectChoice(c, label) for c, label in labels.items()]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    actor = StringField(
        _l("Who (email or name, in part)"), validators=[Optional(), Length(max=100)]
    )
    action = SelectField(_l("Action"), choices=_choices(ACTION_LABELS), validate_choice=False)
    member = StringField(_l("Member (number or phone)"), validators=[Optional(), Length(max=40)])
    subject = SelectField(_l("Subject"), choices=_choices(SUBJECT_LABELS), validate_choice=False)
    subject_id = StringField(_l("Subject number"), validators=[Optional(), Length(max=18)])
    since = DateField(_l("From (day)"), validators=[Optional()])
    until = DateField(_l("To (day)"), validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day comes before the first."))

    def validate_subject_id(self, field) -> None:
        if field.data and not field.data.strip().isdigit():
            raise ValidationError(_l("Enter a number."))
