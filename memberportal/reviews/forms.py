"""The review form: shape only (the service holds the rules and their messages)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from memberportal.reviews.models import TEXT_MAX

STARS = [SelectChoice(n, "★" * n) for n in range(5, 0, -1)]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ReviewForm(FlaskForm):
    rating = RadioField(
        _l("Rating"), choices=STARS, coerce=int,
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
    )  # fmt: skip
    text = TextAreaField(
        _l("Your review"), filters=[_strip],
        validators=[InputRequired(message=_l("Write between 10 and 500 characters."))],
        render_kw={"maxlength": TEXT_MAX, "rows": 4},
    )  # fmt: skip
    submit = SubmitField(_l("Post review"))
