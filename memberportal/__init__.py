"""memberportal: a brand's member program and points mall."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from flask import Flask, abort, g, jsonify, request
from flask.sessions import SecureCookieSessionInterface

from memberportal import config as app_config

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

# (module, blueprint attribute) for each area; merchant views nest under /merchant.
MEMBER_BLUEPRINTS = [
    "memberportal.public.views",
    "memberportal.accounts.views",
    "memberportal.accounts.password_views",
    "memberportal.coupons.views",
    "memberportal.members.views",
    "memberportal.mall.views",
    "memberportal.notifications.views",
    "memberportal.memberships.views",
    "memberportal.payments.webhook",
    "memberportal.points.views",
    "memberportal.reviews.views",
    "memberportal.tiers.views",
    "memberportal.claims.views",
    "memberportal.privacy.views",
    "memberportal.wallet.views",
]
MERCHANT_BLUEPRINTS = [
    "memberportal.members.merchant_views",
    "memberportal.api.merchant_views",
    "memberportal.notifications.merchant_views",
    "memberportal.accounts.merchant_views",
    "memberportal.accounts.reset_views",
    "memberportal.audit.merchant_views",
    "memberportal.coupons.merchant_views",
    "memberportal.mall.merchant_views",
    "memberportal.mall.fulfilment_views",
    "memberportal.memberships.merchant_views",
    "memberportal.purchases.merchant_views",
    "memberportal.points.merchant_views",
    "memberportal.reports.merchant_views",
    "memberportal.referrals.merchant_views",
    "memberportal.reviews.merchant_views",
    "memberportal.risk.merchant_views",
    "memberportal.tiers.merchant_views",
    "memberportal.brand.merchant_views",
    "memberportal.bulk.merchant_views",
    "memberportal.claims.merchant_views",
    "memberportal.wallet.merchant_views",
]

# Areas that act on payment events; each registers its handlers with memberportal.payments.
PAYMENT_HANDLERS = [
    "memberportal.mall.payments",
    "memberportal.memberships.events",
    "memberportal.wallet.payments",
]

request_log = logging.getLogger("memberportal.request")


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def open_session(self, app, request):
        # Without a session cookie (API calls, health checks) the session starts empty: no
        # need to build the signing serializer, which costs more than the rest of the request's
        # session handling.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or (bool(request) and request.is_secure)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_DIR / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(app_config.load(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.session_interface = _SessionInterface()
    _configure_logging()

    register_extensions(app)
    register_blueprints(app)
    register_payment_handlers(app)
    register_api(app)
    register_rate_limits(app)
    register_errors(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_cli(app)
    register_notifications(app)
    return app


def _configure_logging() -> None:
    """One line per request on stderr (memberportal.request), unless the host configured it."""
    logger = logging.getLogger("memberportal")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def translation_directories() -> list[str]:
    """One catalog per area (and a common one), so areas translate independently."""
    areas = sorted(str(p) for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())
    return [str(PACKAGE_DIR / "translations"), *areas]


def register_extensions(app: Flask) -> None:
    from memberportal.brand.services import load_saved
    from memberportal.core import brand
    from memberportal.core.db import ping_after_idle
    from memberportal.core.i18n import select_locale
    from memberportal.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_after_idle(engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: brand.current()["time_zone"],
    )
    app.extensions["brand.loader"] = load_saved
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        from memberportal.accounts.models import StaffUser
        from memberportal.members.models import Member

        kind, _, rest = user_id.partition(":")
        raw_id, _, version = rest.partition(":")
        model = {"m": Member, "s": StaffUser}.get(kind)
        if model is None or not raw_id.isdigit():
            return None
        user = db.session.get(model, int(raw_id))
        # A member's password change or reset ends every session signed in before it.
        if isinstance(user, Member) and not user.session_is_current(version):
            return None
        # A staff account's deactivation, role change or password reset does the same, and a
        # deactivated account's session ends at its next request.
        if isinstance(user, StaffUser) and not user.is_active:
            return None
        if isinstance(user, StaffUser) and not user.session_is_current(version):
            return None
        return user

    # Import every model so metadata (migrations, tests) sees the whole schema.
    from memberportal import models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    import importlib

    from memberportal.merchant.views import create_blueprint

    for module in MEMBER_BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)
    app.register_blueprint(create_blueprint(MERCHANT_BLUEPRINTS))


def register_payment_handlers(app: Flask) -> None:
    import importlib

    for module in PAYMENT_HANDLERS:
        importlib.import_module(module).register_payment_handlers(app)


def register_api(app: Flask) -> None:
    from memberportal.api.openapi import init_app

    init_app(app)


def register_rate_limits(app: Flask) -> None:
    """Drop flask-limiter's check before every request while it has nothing to check.

    That check applies the limits declared for the whole app or for a blueprint; this app
    declares none: its limits sit on the views they guard (the sign-in and registration
    forms), whose decorators check them when the view is called, and the API counts its own
    (api.ratelimit). Run on every request, the check found nothing to apply, at some 0.06 ms of
    CPU each. Should such a limit be declared, the check stays.
    """
    from memberportal.extensions import limiter

    manager = limiter.limit_manager
    with app.app_context():
        app_wide = (
            manager.default_limits
            or manager.application_limits
            or app.config.get("RATELIMIT_META")
            or any(manager.blueprint_limits(app, name) for name in app.blueprints)
        )
    check = limiter._check_request_limit
    if not app_wide and check in app.before_request_funcs.get(None, []):
        app.before_request_funcs[None].remove(check)


def register_errors(app: Flask) -> None:
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    from memberportal.core.errors import DomainError

    def page(code: int, title: str, message: str = ""):
        if request.path.startswith("/api/"):
            return jsonify(error=f"http_{code}", message=message or title), code
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _

        return page(400, _("The form expired"), _("Reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(error):
        from flask_babel import gettext as _

        return page(error.status, _("Not possible"), str(error.message))

    for code in (400, 403, 404, 405, 413, 429, 500):

        def handler(error, code=code):
            from flask_babel import gettext as _

            titles = {
                400: _("Bad request"),
                403: _("Not allowed"),
                404: _("Page not found"),
                405: _("Not allowed"),
                413: _("Upload too large"),
                429: _("Too many attempts. Please wait a few minutes and try again."),
                500: _("Something went wrong"),
            }
            return page(code, titles[code])

        app.register_error_handler(code, handler)


def content_security_policy(app: Flask) -> str:
    scripts = ["'self'"]
    if app.config["HTMX_SOURCE"] == "cdn":
        scripts.append("https://cdn.jsdelivr.net")
    forms = ["'self'"]
    if app.config["PAYMENTS_MODE"] == "live":
        forms.append("https://checkout.stripe.com")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(scripts),
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action " + " ".join(forms),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def register_request_hooks(app: Flask) -> None:
    csp = content_security_policy(app)

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.before_request
    def refuse_nul_bytes():
        # No field needs a NUL byte, and PostgreSQL text cannot store one: refuse it at the
        # door with a 400 instead of failing deep in a query.
        values = (
            [*request.args.values(), *request.view_args.values()]
            if request.view_args
            else [*request.args.values()]
        )
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in str(v) for v in values):
            abort(400)

    security = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]

    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own; one pass over the response's headers.
        headers = response.headers
        present = set(headers.keys(lower=True))
        headers.extend([(name, value) for name, value in security if name.lower() not in present])
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        started = g.get("request_started")
        if started is not None:
            request_log.info(
                "%s %s %s %.1fms",
                request.method,
                _loggable_path(),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response


def _loggable_path() -> str:
    """The path, except that a secret in it (a password reset link's token) is not logged."""
    rule = request.url_rule
    if rule is not None and "<token>" in rule.rule:
        return rule.rule
    return request.path


def register_template_helpers(app: Flask) -> None:
    from memberportal.core import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from memberportal import cli

    cli.init_app(app)


def register_notifications(app: Flask) -> None:
    from memberportal import notifications

    notifications.init_app(app)
