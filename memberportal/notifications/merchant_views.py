"""Owner: outbound webhook endpoints, their delivery log, replay and re-enable."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.extensions import db
from memberportal.notifications import queries, webhooks
from memberportal.notifications.forms import ConfirmForm, EndpointForm
from memberportal.notifications.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.route("/", methods=["GET", "POST"])
@role_required("webhooks.manage")
def index():
    form = EndpointForm()
    secret = endpoint = None
    if form.validate_on_submit():
        try:
            endpoint, secret = webhooks.create_endpoint(
                form.url.data, form.events.data, actor=current_user, now=utcnow()
            )
        except DomainError as error:
            field = form.events if error.code == "no_events" else form.url
            field.errors.append(str(error.message))
    response = render(
        "merchant/notifications/webhooks.html", form=form, confirm=ConfirmForm(),
        endpoints=queries.webhook_endpoints(), secret=secret, new_endpoint=endpoint,
        status=422 if form.errors else 200,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # a new secret must not linger in a cache
    return response


@bp.route("/<int:endpoint_id>")
@role_required("webhooks.manage")
def log(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return render(
        "merchant/notifications/webhook_log.html", endpoint=endpoint, confirm=ConfirmForm(),
        rows=queries.webhook_log(endpoint_id),
    )  # fmt: skip


@bp.route("/<int:endpoint_id>/enable", methods=["GET", "POST"])
@role_required("webhooks.manage")
def enable(endpoint_id: int):
    if request.method == "GET":  # a reload: back to the endpoint's page
        return redirect(url_for("merchant.webhooks.log", endpoint_id=endpoint_id), 303)
    if ConfirmForm().validate_on_submit() and webhooks.enable_endpoint(
        endpoint_id, actor=current_user
    ):
        flash(_("The endpoint receives deliveries again."), "success")
    return redirect_after_post(url_for("merchant.webhooks.log", endpoint_id=endpoint_id))


@bp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["GET", "POST"])
@role_required("webhooks.manage")
def replay(endpoint_id: int, delivery_id: int):
    back = url_for("merchant.webhooks.log", endpoint_id=endpoint_id)
    if request.method == "GET":  # a reload: back to the endpoint's page
        return redirect(back, 303)
    if not ConfirmForm().validate_on_submit():
        return redirect_after_post(back)
    try:
        webhooks.replay(delivery_id, actor=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The delivery is queued again."), "success")
    return redirect_after_post(back)
