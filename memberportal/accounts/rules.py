"""Pure rules for credentials: contact normalisation and password strength."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from memberportal.core.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 8

# Passwords that appear at the top of every breach list, plus the program's own obvious words.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "87654321",
        "abcd1234",
        "abc12345",
        "1q2w3e4r",
        "1qaz2wsx",
        "iloveyou",
        "5201314",
        "woaini1314",
        "a1234567",
        "aa123456",
        "asdfghjk",
        "zxcvbnm123",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "admin123",
        "letmein1",
        "monkey123",
        "dragon123",
        "member123",
        "vip12345",
        "memberportal",
        "123qweasd",
        "qweasdzxc",
    ]
)

_PHONE = re.compile(r"^\+?\d{6,15}$")


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidContact(ValidationFailed):
    code = "invalid_contact"
    default_message = _l("Enter a mobile number or an email address.")


def normalise_contact(text: str) -> tuple[str | None, str | None]:
    """Return (phone, email) from what the person typed; exactly one is set."""
    text = (text or "").strip()
    if "@" in text:
        try:
            email = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidContact(_l("That email address is not valid.")) from exc
        return None, email.lower()
    phone = re.sub(r"[\s-]", "", text)
    if not _PHONE.match(phone):
        raise InvalidContact()
    return phone, None


def check_password(password: str, *, contact: str = "") -> None:
    """Raise WeakPassword unless the password is long enough and not an obvious one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise WeakPassword(_l("This password is too easy to guess; choose another."))
    if contact and contact.lower().split("@")[0] in lowered:
        raise WeakPassword(_l("The password must not contain your phone or email."))
