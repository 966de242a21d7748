"""Forms: mark read, and the channel choices (one checkbox per category and channel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from memberportal.notifications.models import CATEGORIES, CHANNELS
from memberportal.notifications.rules import KINDS

CATEGORY_LABELS = {
    "points": _l("Points"),
    "tier": _l("Tier"),
    "mall": _l("Points mall orders"),
    "membership": _l("Paid card"),
    "coupon": _l("Coupons"),
    "wallet": _l("Stored value"),
}
CHANNEL_LABELS = {"inapp": _l("In the app"), "email": _l("E-mail"), "sms": _l("Text message")}


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Mark read"))


class ChoicesForm(FlaskForm):
    language = SelectField(_l("Language of e-mails and texts"), choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("zh", "中文"), SelectChoice("en", "English")]

    def chosen(self) -> dict[tuple[str, str], bool]:
        return {(cat, ch): bool(self[f"{cat}_{ch}"].data) for cat in CATEGORIES for ch in CHANNELS}


for _category in CATEGORIES:
    for _channel in CHANNELS:
        setattr(
            ChoicesForm,
            f"{_category}_{_channel}",
            BooleanField(CHANNEL_LABELS[_channel], default=False),
        )


class EndpointForm(FlaskForm):
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=500)])
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(kind, kind) for kind in KINDS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Add endpoint"))


class ConfirmForm(FlaskForm):
    pass
