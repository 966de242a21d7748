"""Merchant backend: the fulfilment queue, hand-over by pickup code, shipping, cancelling."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.mall import queries, refunds, rules, services
from memberportal.mall.forms import HandOverForm, QueueFilterForm, ShipForm, StaffCancelForm
from memberportal.mall.models import ITEM_KINDS, ORDER_STATUSES
from memberportal.mall.rules import KIND_LABELS, STATUS_LABELS

bp = Blueprint("mall_orders", __name__, url_prefix="/mall/orders")


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    form.status.choices = [SelectChoice("", _("Open orders"))] + [
        SelectChoice(s, STATUS_LABELS[s]) for s in ORDER_STATUSES
    ]
    form.kind.choices = [SelectChoice("", _("All kinds"))] + [
        SelectChoice(k, KIND_LABELS[k]) for k in ITEM_KINDS
    ]
    return form


def _queue_page(hand_over_form=None, *, result=None, error=None, status=200):
    filters = _filter_form()
    rows = queries.fulfilment_queue(
        filters.status.data or None, filters.kind.data or None, filters.q.data or ""
    )
    return render(
        "merchant/mall/queue.html",
        "merchant/mall/_queue_rows.html",
        rows=rows,
        filters=filters,
        hand_over_form=hand_over_form or HandOverForm(),
        result=result,
        error=error,
        status=status,
    )


@bp.get("/")
@role_required("orders.fulfil")
def queue():
    return _queue_page()


@bp.route("/hand-over", methods=["GET", "POST"])
@role_required("orders.fulfil")
def hand_over():
    """Type or scan a pickup code: find the order and hand it over in one step."""
    if request.method == "GET":  # a reload after an error: back to the queue
        return redirect(url_for("merchant.mall_orders.queue"), 303)
    form = HandOverForm()
    if not form.validate_on_submit():
        return _queue_page(form, status=422)
    try:
        order = services.hand_over(form.code.data, actor=current_user, now=utcnow())
    except DomainError as error:
        form.code.errors = [str(error.message)]
        return _queue_page(form, error=str(error.message), status=error.status)
    flash(
        _(
            "Handed over: order %(id)s, %(item)s x %(n)s.",
            id=order.id,
            item=order.item.name,
            n=order.quantity,
        ),
        "ok",
    )
    return redirect_after_post(url_for("merchant.mall_orders.queue"))


def _order_or_404(order_id: int):
    found = queries.order_with_member(order_id)
    if found is None:
        abort(404)
    return found


def _detail(order_id: int, *, ship_form=None, cancel_form=None, error=None, status=200):
    order, member = _order_or_404(order_id)
    return render(
        "merchant/mall/order.html",
        order=order,
        member=member,
        ship_form=ship_form or ShipForm(),
        cancel_form=cancel_form or StaffCancelForm(),
        can_cancel=rules.can_cancel(order.status, order.coupon.state if order.coupon else None),
        error=error,
        status=status,
    )


@bp.get("/<int:order_id>")
@role_required("orders.fulfil")
def detail(order_id: int):
    return _detail(order_id)


@bp.route("/<int:order_id>/ship", methods=["GET", "POST"])
@role_required("orders.fulfil")
def ship(order_id: int):
    _order_or_404(order_id)
    if request.method == "GET":  # a reload after an error: back to the order
        return redirect(url_for("merchant.mall_orders.detail", order_id=order_id), 303)
    form = ShipForm()
    if not form.validate_on_submit():
        return _detail(order_id, ship_form=form, status=422)
    try:
        services.ship(
            order_id, form.carrier.data, form.tracking_no.data, actor=current_user, now=utcnow()
        )
    except DomainError as error:
        return _detail(order_id, ship_form=form, error=str(error.message), status=422)
    flash(_("Marked as shipped."), "ok")
    return redirect_after_post(url_for("merchant.mall_orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/delivered", methods=["GET", "POST"])
@role_required("orders.fulfil")
def delivered(order_id: int):
    _order_or_404(order_id)
    if request.method == "GET":  # a reload after an error: back to the order
        return redirect(url_for("merchant.mall_orders.detail", order_id=order_id), 303)
    try:
        services.mark_delivered(order_id, actor=current_user, now=utcnow())
    except DomainError as error:
        return _detail(order_id, error=str(error.message), status=422)
    return redirect_after_post(url_for("merchant.mall_orders.detail", order_id=order_id))


@bp.route("/<int:order_id>/cancel", methods=["GET", "POST"])
@role_required("orders.fulfil")
def cancel(order_id: int):
    _order_or_404(order_id)
    if request.method == "GET":  # a reload after an error: back to the order
        return redirect(url_for("merchant.mall_orders.detail", order_id=order_id), 303)
    form = StaffCancelForm()
    if not form.validate_on_submit():
        return _detail(order_id, cancel_form=form, status=422)
    try:
        services.cancel(order_id, actor=current_user, now=utcnow(), reason=form.reason.data)
    except DomainError as error:
        return _detail(order_id, cancel_form=form, error=str(error.message), status=422)
    flash(_("The order is cancelled; stock and points are returned."), "ok")
    _refund_now(order_id)
    return redirect_after_post(url_for("merchant.mall_orders.detail", order_id=order_id))


def _refund_now(order_id: int) -> None:
    """Ask for the refund of a paid cash part now; a failure stays owed for the sweep."""
    requested, failed = refunds.send_owed(order_id, now=utcnow())
    if requested:
        flash(_("The cash part is being refunded to the member."), "ok")
    if failed:
        flash(_("The refund could not be requested now; it will be retried."), "error")
