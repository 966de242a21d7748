"""The channels that leave the site: e-mail (Flask-Mailman, SMTP from the environment) and
texts (a hook: the brand's provider implements `SmsSender`; the default only logs)."""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

from flask import current_app
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


class Text:
    def __init__(self, phone: str, text: str):
        self.phone, self.text = phone, text

    def send(self, delivery_id: int) -> None:
        sms_sender().send(self.phone, self.text)


def prepare(channel: str, event: NotificationEvent):
    """The message for one event to its member over `channel`, written from the database;
    its `send(delivery_id)` talks to the outside (and raises on failure)."""
    member = db.session.get(Member, event.member_id)
    language = language_of(member.id)
    if channel == "email":
        return Email(member, event, language)
    if channel == "sms":
        subject, text = messages.in_language(language, event.kind, event.payload)
        return Text(member.phone, f"{subject}. {text}")
    raise ValueError(f"no sender for channel {channel}")


def _render(name: str, context: dict) -> str:
    """A template rendered by the app's Jinja environment (translations included) without a
    request: e-mails are written by the worker."""
    return current_app.jinja_env.get_template(name).render(**context)


class Email:
    """An e-mail in the member's language, with the category's unsubscribe link."""

    def __init__(self, member: Member, event: NotificationEvent, language: str):
        self.to, self.language = member.email, language
        self.subject, self.text, self.html, self.unsubscribe = _write(member, event, language)

    def send(self, delivery_id: int) -> None:
        domain = current_app.config["MAIL_ID_DOMAIN"]
        mail = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            to=[self.to],
            headers={
                # A retry of the same delivery keeps its id, so mail clients show it once.
                "Message-ID": f"<delivery-{delivery_id}@{domain}>",
                "List-Unsubscribe": f"<{self.unsubscribe}>",
                "Content-Language": self.language,
            },
        )
        mail.attach_alternative(self.html, "text/html")
        mail.send(fail_silently=False)


def _write(member: Member, event: NotificationEvent, language: str):
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
        text = _render("notifications/email/message.txt", context)
        html = _render("notifications/email/message.html", context)
    return subject, text, html, unsubscribe
