"""The channels that leave the site: e-mail (Flask-Mailman, SMTP from the environment) and
texts (a hook: the brand's provider implements `SmsSender`; the default only logs)."""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from itsdangerous import BadSignature, URLSafeSerializer

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications import messages
from memberportal.notifications.models import MessageLanguage, NotificationEvent

log = logging.getLogger("memberportal.notifications")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send one text; raise on failure (the delivery is retried)."""


class LoggingSms:
    """The default: writes the text to the log (real providers are per brand)."""

    def send(self, phone: str, text: str) -> None:
        log.info("sms to %s: %s", phone, text)


def sms_sender() -> SmsSender:
    path = current_app.config.get("NOTIFY_SMS_SENDER") or ""
    if not path or path == "logging":
        return LoggingSms()
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)()


def language_of(member_id: int) -> str:
    chosen = db.session.get(MessageLanguage, member_id)
    return chosen.language if chosen else current_app.config["LANGUAGES"][0]


def unsubscribe_token(member_id: int, category: str) -> str:
    return _serializer().dumps({"m": member_id, "c": category})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return int(data["m"]), str(data["c"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications.unsubscribe")


def send(channel: str, event: NotificationEvent, delivery_id: int) -> None:
    """Send one event to the member over `channel`; raises on failure."""
    member = db.session.get(Member, event.member_id)
    language = language_of(member.id)
    if channel == "email":
        send_email(member, event, language, delivery_id)
    elif channel == "sms":
        subject, text = messages.in_language(language, event.kind, event.payload)
        sms_sender().send(member.phone, f"{subject}. {text}")
    else:
        raise ValueError(f"no sender for channel {channel}")


def send_email(member: Member, event: NotificationEvent, language: str, delivery_id: int) -> None:
    site = current_app.config["SITE_URL"].rstrip("/")
    token = unsubscribe_token(member.id, event.category)
    unsubscribe = f"{site}/notifications/unsubscribe/{token}"
    with force_locale(language):
        subject, text = messages.title(event.kind, event.payload), None
        context = {
            "member": member,
            "subject": subject,
            "body": messages.body(event.kind, event.payload),
            "unsubscribe": unsubscribe,
            "site": site,
            "lang": language,
        }
        text = render_template("notifications/email/message.txt", **context)
        html = render_template("notifications/email/message.html", **context)
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[member.email],
        headers={
            # The same delivery sent twice (a retry after a lost answer) keeps its id, so
            # mail clients show it once.
            "Message-ID": f"<delivery-{delivery_id}@{current_app.config['MAIL_ID_DOMAIN']}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "Content-Language": language,
        },
    )
    mail.attach_alternative(html, "text/html")
    mail.send(fail_silently=False)
