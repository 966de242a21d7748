"""Sign-in and registration forms: shape only; the rules live in services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from memberportal.accounts.models import ROLE_LABELS


class MemberLoginForm(FlaskForm):
    contact = StringField(_l("Mobile number or email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


CONSENT_MESSAGE = _l("Accept the privacy notice and the user agreement to join.")


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    contact = StringField(_l("Mobile number or email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords do not match."))],
    )
    accept = BooleanField(
        _l("I have read and accept the privacy notice and the user agreement"),
        validators=[
            DataRequired(message=_l("Accept the privacy notice and the user agreement to join."))
        ],
    )
    # The invite link's code (?ref=), kept across a form error; checked by the service.
    ref = HiddenField(validators=[Length(max=32)])
    submit = SubmitField(_l("Join"))


class StaffLoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=100)])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()],
    )
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    submit = SubmitField(_l("Create staff account"))


def _repeat(field: str) -> list:
    return [DataRequired(), EqualTo(field, message=_l("Passwords do not match."))]


class NewPasswordForm(FlaskForm):
    """A new password twice: the reset link's form."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat new password"), validators=_repeat("password"))
    submit = SubmitField(_l("Set new password"))


class ResetCodeForm(NewPasswordForm):
    """The code a cashier gave, the account's phone or email, and the new password."""

    contact = StringField(_l("Mobile number or email"), validators=[DataRequired()])
    code = StringField(_l("Reset code"), validators=[DataRequired(), Length(max=20)])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class IssueResetForm(FlaskForm):
    """Staff: issue a password reset (a button; the form carries the CSRF token)."""

    submit = SubmitField(_l("Issue a password reset"))


class StaffRoleForm(FlaskForm):
    """Owner: the role to give a staff member; the change itself is confirmed on its own page."""

    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()],
    )
    submit = SubmitField(_l("Change role"))


class StaffConfirmForm(FlaskForm):
    """Owner: a confirmed staff change (a button; the form carries the CSRF token)."""

    submit = SubmitField(_l("Confirm"))


class StaffPasswordForm(NewPasswordForm):
    """Owner: a new password for a staff member, typed twice."""
