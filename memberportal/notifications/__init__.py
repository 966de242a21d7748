"""notifications: the outbox, channels (in-app, e-mail, texts), the job queue and schedules."""

from __future__ import annotations

import os

from flask import Flask


def config() -> dict:
    """Settings from the environment (see the README's Notifications section)."""
    env = os.environ.get
    return {
        "NOTIFY_REDIS_URL": env("NOTIFY_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "NOTIFY_EXPIRY_WARNING_DAYS": int(env("NOTIFY_EXPIRY_WARNING_DAYS", "30")),
        "NOTIFY_COUPON_WARNING_DAYS": int(env("NOTIFY_COUPON_WARNING_DAYS", "3")),
        "NOTIFY_QUEUE": env("NOTIFY_QUEUE", "notifications"),
        "NOTIFY_LEASE_SECONDS": int(env("NOTIFY_LEASE_SECONDS", "120")),
        # Refuse webhook URLs on private or local addresses (SSRF) unless set (tests).
        "NOTIFY_WEBHOOK_ALLOW_PRIVATE": env("NOTIFY_WEBHOOK_ALLOW_PRIVATE", "") == "1",
        "NOTIFY_WEBHOOK_DISABLE_AFTER": int(env("NOTIFY_WEBHOOK_DISABLE_AFTER", "15")),
        "NOTIFY_SMS_SENDER": env("NOTIFY_SMS_SENDER", "logging"),
        "SITE_URL": env("SITE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USERNAME": env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "") == "1",
        "MAIL_USE_SSL": env("MAIL_USE_SSL", "") == "1",
        "MAIL_TIMEOUT": 10,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "memberportal@localhost"),
        "MAIL_ID_DOMAIN": env("MAIL_ID_DOMAIN", "memberportal.local"),
    }


def init_app(app: Flask) -> None:
    """Settings, the mailer, waking a worker after a commit that wrote events, the bell."""
    from flask_login import current_user
    from sqlalchemy import event

    from memberportal.extensions import db, mail
    from memberportal.notifications import queue

    if app.testing:
        # Tests reach Redis only when they ask for it (their own db number).
        app.config.setdefault("NOTIFY_REDIS_URL", "")
    for key, value in config().items():
        app.config.setdefault(key, value)
    mail.init_app(app)
    if not getattr(db.session, "_notifications_hooked", False):
        event.listen(db.session, "after_commit", queue.wake_after_commit)
        db.session._notifications_hooked = True

    @app.context_processor
    def bell():
        def unread() -> int:
            from memberportal.notifications.queries import unread_count

            if current_user.is_authenticated and not current_user.is_staff:
                return unread_count(current_user.id)
            return 0

        return {"unread_notifications": unread}
