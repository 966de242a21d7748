"""Member pages: browse the mall, redeem with a confirmation step, my orders."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from memberportal.core import qr
from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.extensions import db
from memberportal.mall import images, payments, queries, refunds, rules, services
from memberportal.mall.errors import InvalidAddress
from memberportal.mall.forms import MemberCancelForm, RedeemForm
from memberportal.payments.gateway import get_gateway

bp = Blueprint("mall", __name__, url_prefix="/mall")

# One message per address field, so the person sees which line to fix.
ADDRESS_FIELD_ERRORS = {
    "name": _l("Enter the recipient's name (no special characters)."),
    "phone": _l("Enter a mobile number the courier can call."),
    "address": _l("Enter the full delivery address (no special characters)."),
}


@bp.get("/")
@member_required
def browse():
    category = request.args.get("category") or None
    affordable = request.args.get("affordable") == "1"
    sort = request.args.get("sort", "newest")
    if sort not in queries.SORTS:
        sort = "newest"
    cards = queries.browse(
        current_user, utcnow(), category=category, affordable=affordable, sort=sort
    )
    return render(
        "mall/browse.html",
        "mall/_cards.html",
        cards=cards,
        categories=queries.categories(),
        category=category,
        affordable=affordable,
        sort=sort,
    )


def _card_or_404(item_id: int):
    item = queries.visible_item_or_none(item_id)
    if item is None:
        abort(404)
    return queries.card_for(item, current_user, utcnow())


@bp.get("/items/<int:item_id>")
@member_required
def item(item_id: int):
    return render("mall/item.html", card=_card_or_404(item_id))


@bp.route("/items/<int:item_id>/confirm", methods=["GET", "POST"])
@member_required
def confirm(item_id: int):
    """The confirmation step: quantity, totals and the balance after; one request key."""
    card = _card_or_404(item_id)
    form = RedeemForm()
    status = 200
    if request.method == "GET":
        form.quantity.data = request.args.get("quantity", 1, type=int)
        form.request_key.data = services.new_request_key()
    elif form.validate_on_submit():
        order = _redeem_or_explain(form, card.item)
        if order is not None:
            return redirect_after_post(url_for("mall.order", order_id=order.id, new=1))
        status = 422
    else:
        status = 422
    quantity = form.quantity.data if isinstance(form.quantity.data, int) else 1
    quantity = max(1, min(quantity, rules.MAX_PER_ORDER))
    points, cash = rules.totals(card.item.points_price, card.item.cash_cents, quantity)
    db.session.refresh(current_user)
    return render(
        "mall/confirm.html",
        card=card,
        form=form,
        quantity=quantity,
        points=points,
        cash=cash,
        status=status,
    )


def _redeem_or_explain(form: RedeemForm, item):
    """Redeem from the confirmed form; on a refusal, put the reason on the form (None)."""
    shipping = None
    if item.kind == "shipped":
        shipping = rules.clean_address(
            form.ship_name.data, form.ship_phone.data, form.ship_address.data
        )
    try:
        return services.redeem(
            current_user.id,
            item.id,
            form.quantity.data,
            form.request_key.data,
            actor=current_user,
            now=utcnow(),
            shipping=shipping,
        )
    except InvalidAddress as error:
        for name in error.fields:
            getattr(form, f"ship_{name}").errors = [str(ADDRESS_FIELD_ERRORS[name])]
    except DomainError as error:
        form.quantity.errors = [*form.quantity.errors, str(error.message)]
    return None


@bp.get("/orders")
@member_required
def orders():
    return render("mall/orders.html", orders=queries.orders_for_member(current_user.id))


def _order_or_404(order_id: int):
    order = queries.order_for_member(current_user.id, order_id)
    if order is None:
        abort(404)
    return order


@bp.get("/orders/<int:order_id>")
@member_required
def order(order_id: int):
    found = _order_or_404(order_id)
    return render(
        "mall/order.html",
        order=found,
        codes=queries.codes_for_member_order(current_user.id, order_id),
        form=MemberCancelForm(),
        just_placed=request.args.get("new") == "1",
        can_cancel=_can_cancel(found),
    )


def _can_cancel(order) -> bool:
    return rules.can_cancel(order.status, order.coupon.state if order.coupon else None)


@bp.get("/orders/<int:order_id>/qr.svg")
@member_required
def order_qr(order_id: int):
    """The pickup code as a QR code (drawn on the server), only for the order's member."""
    found = _order_or_404(order_id)
    if not found.pickup_code:
        abort(404)
    return qr.svg_response(found.pickup_code)


@bp.route("/orders/<int:order_id>/cancel", methods=["GET", "POST"])
@member_required
def cancel(order_id: int):
    _order_or_404(order_id)
    if request.method == "GET":  # a reload after an error: back to the order
        return redirect(url_for("mall.order", order_id=order_id), 303)
    form = MemberCancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.cancel(
            order_id,
            actor=current_user,
            now=utcnow(),
            reason="cancelled by the member",
            member_id=current_user.id,
        )
    except DomainError as error:
        found = _order_or_404(order_id)
        return render(
            "mall/order.html",
            order=found,
            codes=queries.codes_for_member_order(current_user.id, order_id),
            form=form,
            error=str(error.message),
            can_cancel=_can_cancel(found),
            status=422,
        )
    flash(_("The order is cancelled; your points are back."), "ok")
    if refunds.send_owed(order_id, now=utcnow())[0]:
        flash(_("The cash part is being refunded to you."), "ok")
    return redirect_after_post(url_for("mall.order", order_id=order_id))


@bp.get("/images/<name>")
def image(name: str):
    """Item images (checked at upload, named by their hash, so they cache forever)."""
    if not images.is_image_name(name):
        abort(404)
    response = send_from_directory(images.upload_dir(), name, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_context_processor
def mall_labels():
    return {
        "status_label": lambda status: rules.STATUS_LABELS.get(status, status),
        "kind_label": lambda kind: rules.KIND_LABELS.get(kind, kind),
        "state_label": lambda state: rules.STATE_LABELS.get(state, state),
        "refund_label": lambda state: rules.REFUND_LABELS.get(state, state),
    }


@bp.post("/orders/<int:order_id>/pay")
@member_required
def pay(order_id: int):
    """Send the member to the checkout for the order's cash part (Stripe, or the demo)."""
    _order_or_404(order_id)
    if not MemberCancelForm().validate_on_submit():
        abort(400)
    back = url_for("mall.order", order_id=order_id, _external=True)
    try:
        url = payments.begin_checkout(order_id, current_user.id, success_url=back, cancel_url=back)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect_after_post(url_for("mall.order", order_id=order_id))
    return redirect_after_post(url)


def _demo_order_or_404(session_id: str):
    if current_app.config["PAYMENTS_MODE"] != "demo":
        abort(404)
    found = queries.order_for_member_session(current_user.id, session_id)
    if found is None:
        abort(404)
    return found


@bp.get("/demo-payment/<session_id>")
@member_required
def demo_payment(session_id: str):
    """The offline stand-in for Stripe's payment page (demo mode only)."""
    return render(
        "mall/demo_payment.html", order=_demo_order_or_404(session_id), form=MemberCancelForm()
    )


@bp.post("/demo-payment/<session_id>/<any(pay, abandon):step>")
@member_required
def demo_payment_step(session_id: str, step: str):
    found = _demo_order_or_404(session_id)
    if not MemberCancelForm().validate_on_submit():
        abort(400)
    gateway = get_gateway()
    if step == "pay":
        gateway.pay_payment(session_id)
    else:
        gateway.expire_payment(session_id)
    return redirect_after_post(url_for("mall.order", order_id=found.id))
