"""Pure rules for credentials: contact normalisation, password strength, reset tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
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

DEFAULT_PHONE_REGION = "CN"
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)  # fmt: skip


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidContact(ValidationFailed):
    code = "invalid_contact"
    default_message = _l("Enter a mobile number or an email address.")


def phone_region() -> str:
    """The region a number typed without a country code belongs to (PHONE_REGION)."""
    if has_app_context():
        return current_app.config.get("PHONE_REGION") or DEFAULT_PHONE_REGION
    return DEFAULT_PHONE_REGION


def canonical_phone(text: str, region: str | None = None) -> str | None:
    """One form for one mobile number: E.164 ("+8613800000001"), whatever the spelling
    ("+86 138 0000 0001", "138-0000-0001", "13800000001"); None unless it is a valid mobile
    number (for its own country code, else for `region`)."""
    text = (text or "").strip()
    if not text or len(text) > 32 or not re.fullmatch(r"[+\d\s().-]+", text):
        return None
    try:
        number = phonenumbers.parse(text, region or phone_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(phone: str | None, region: str | None = None) -> str:
    """A stored number as people read it: national within the brand's region, else
    international ("138 0000 0001", "+44 7911 123456")."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    home = phonenumbers.country_code_for_region(region or phone_region())
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)  # fmt: skip
    return phonenumbers.format_number(number, style)


def normalise_contact(text: str, region: str | None = None) -> tuple[str | None, str | None]:
    """Return (phone, email) from what the person typed; exactly one is set. A phone is
    returned in its canonical form (see canonical_phone) and must be a mobile number."""
    text = (text or "").strip()
    if "@" in text:
        try:
            email = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidContact(_l("That email address is not valid.")) from exc
        return None, email.lower()
    phone = canonical_phone(text, region)
    if phone is None:
        if re.search(r"\d", text):
            raise InvalidContact(_l("Enter a valid mobile number."))
        raise InvalidContact()
    return phone, None


def check_password(password: str, *, contact: str = "") -> None:
    """Raise WeakPassword unless the password is long enough and not an obvious one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise WeakPassword(_l("This password is too easy to guess; choose another."))
    if contact.startswith("+"):  # a canonical phone: people type the national digits
        contact = display_phone(contact).replace(" ", "").replace("-", "") or contact
    if contact and contact.lower().split("@")[0] in lowered:
        raise WeakPassword(_l("The password must not contain your phone or email."))


# A password reset a cashier issues: a link (QR code) and a short code the member can type.
RESET_VALID_FOR = timedelta(minutes=30)
# No 0/O, 1/I/L: a code read off a screen and typed on a phone is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8, about 8.5e11 codes; guesses are throttled and a code lives 30 minutes


def new_reset_token() -> str:
    """The link's secret: 256 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_reset_token(token: str) -> str:
    # A fast hash is right here: the token is random and long, not a password to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def new_reset_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_reset_code(text: str) -> str | None:
    """The code as typed ("abcd-efgh", "ABCD EFGH") in its stored form, or None if it cannot
    be a code."""
    code = re.sub(r"[\s-]", "", text or "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def display_reset_code(code: str) -> str:
    """ABCD-EFGH: two groups of four are easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def hash_reset_code(code: str, member_id: int, key: str) -> str:
    """The stored form of a code: keyed with the app's secret, so a copy of the database alone
    cannot try all 31**8 codes offline, and bound to the member, so a code only opens the
    account it was issued for."""
    message = f"{member_id}:{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def reset_expires_at(issued_at: datetime) -> datetime:
    return issued_at + RESET_VALID_FOR


def reset_problem(
    *, used_at: datetime | None, voided_at: datetime | None, expires_at: datetime, now: datetime
) -> str | None:
    """Why a reset can no longer be used ("used", "voided", "expired"), or None while it can.
    Used and voided say more than expired, so they are checked first."""
    if used_at is not None:
        return "used"
    if voided_at is not None:
        return "voided"
    if now >= expires_at:
        return "expired"
    return None


def mask_contact(phone: str | None, email: str | None) -> str:
    """Enough of the account's phone or email for the member to recognise it, no more."""
    if phone:
        shown = re.sub(r"[\s()-]", "", display_phone(phone))
        return shown[:3] + "*" * max(len(shown) - 7, 1) + shown[-4:]
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}"
