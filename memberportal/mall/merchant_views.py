"""Merchant backend: the mall catalog (managers and the owner)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from memberportal.core.auth import role_required
from memberportal.core.clock import brand_tz, utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.money import format_cents, parse_cents
from memberportal.coupons import queries as coupon_queries
from memberportal.mall import catalog_services as catalog
from memberportal.mall import queries
from memberportal.mall.forms import (
    CategoryEditForm,
    CategoryForm,
    CodesForm,
    ItemForm,
    ReasonForm,
    RestockForm,
)
from memberportal.tiers.queries import all_tiers

bp = Blueprint("mall", __name__, url_prefix="/mall")


@bp.get("/items")
@role_required("catalog.edit")
def items():
    state = request.args.get("state") or None
    return render(
        "merchant/mall/items.html",
        items=queries.items_for_merchant(state),
        state=state,
        category_form=CategoryForm(),
        categories=queries.categories(),
    )


def _item_form(item=None) -> ItemForm:
    form = ItemForm(obj=item)
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in queries.categories()]
    form.min_tier_id.choices = [SelectChoice(0, _("Any tier"))] + [
        SelectChoice(t.id, t.name) for t in all_tiers()
    ]
    form.coupon_template_id.choices = _coupon_choices(item)
    if item is not None and request.method == "GET":
        form.cash.data = f"{item.cash_cents / 100:.2f}"
        form.min_tier_id.data = item.min_tier_id or 0
        form.coupon_template_id.data = item.coupon_template_id or 0
        form.sale_starts_at.data = _local(item.sale_starts_at)
        form.sale_ends_at.data = _local(item.sale_ends_at)
    return form


def _coupon_choices(item) -> list[SelectChoice]:
    """Active points-mall coupons (and the item's own, so the form shows what it gives even
    after that coupon was deactivated; saving then asks for an active one)."""
    templates = coupon_queries.mall_templates()
    own = item.coupon_template if item is not None else None
    if own is not None and own not in templates:
        templates.insert(0, own)
    return [SelectChoice(0, _("No coupon"))] + [
        SelectChoice(t.id, f"{t.name} ({format_cents(t.amount_cents)})") for t in templates
    ]


def _field_error(form: ItemForm, error: DomainError) -> None:
    """Put a service's refusal on the field it names, if it names one."""
    field = getattr(form, error.details.get("field") or "", None)
    if field is not None:
        field.errors = [*field.errors, str(error.message)]


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(brand_tz()).replace(tzinfo=None) if value else None


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=brand_tz()) if value else None


def _item_input(form: ItemForm) -> catalog.ItemInput:
    return catalog.ItemInput(
        name_zh=form.name_zh.data.strip(),
        name_en=form.name_en.data.strip(),
        description_zh=(form.description_zh.data or "").strip(),
        description_en=(form.description_en.data or "").strip(),
        category_id=form.category_id.data,
        kind=form.kind.data,
        points_price=form.points_price.data,
        cash_cents=parse_cents(form.cash.data or "0", allow_zero=True),
        per_member_limit=form.per_member_limit.data,
        sale_starts_at=_utc(form.sale_starts_at.data),
        sale_ends_at=_utc(form.sale_ends_at.data),
        min_tier_id=form.min_tier_id.data or None,
        paid_only=form.paid_only.data,
        coupon_template_id=form.coupon_template_id.data or None,
    )


def _image_bytes(form: ItemForm) -> bytes | None:
    upload = form.image.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read()


@bp.route("/items/new", methods=["GET", "POST"])
@role_required("catalog.edit")
def new_item():
    form = _item_form()
    if form.validate_on_submit():
        try:
            item = catalog.create_item(
                _item_input(form),
                actor=current_user,
                now=utcnow(),
                stock=form.stock.data or 0,
                image=_image_bytes(form),
            )
        except DomainError as error:
            _field_error(form, error)
            return render(
                "merchant/mall/item_form.html",
                form=form,
                item=None,
                error=str(error.message),
                status=422,
            )
        flash(_("Item saved as a draft."), "ok")
        return redirect_after_post(url_for("merchant.mall.edit_item", item_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render("merchant/mall/item_form.html", form=form, item=None, status=status)


def _item_or_404(item_id: int):
    item = queries.item_or_none(item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@role_required("catalog.edit")
def edit_item(item_id: int):
    item = _item_or_404(item_id)
    form = _item_form(item)
    error, status = None, 200
    if form.validate_on_submit():
        try:
            catalog.update_item(
                item_id,
                _item_input(form),
                actor=current_user,
                now=utcnow(),
                image=_image_bytes(form),
            )
        except DomainError as exc:
            error, status = str(exc.message), 422
            _field_error(form, exc)
        else:
            flash(_("Item saved."), "ok")
            return redirect_after_post(url_for("merchant.mall.edit_item", item_id=item_id))
    elif form.is_submitted():
        status = 422
    return _edit_page(item, form, error=error, status=status)


def _edit_page(item, form=None, *, error=None, status=200, **forms):
    return render(
        "merchant/mall/item_form.html",
        item=item,
        form=form or _item_form(item),
        restock_form=forms.get("restock_form") or RestockForm(),
        codes_form=forms.get("codes_form") or CodesForm(),
        reason_form=ReasonForm(),
        free_codes=queries.free_code_count(item.id),
        error=error,
        status=status,
    )


@bp.route("/items/<int:item_id>/restock", methods=["GET", "POST"])
@role_required("catalog.edit")
def restock(item_id: int):
    item = _item_or_404(item_id)
    if request.method == "GET":  # a reload after an error: back to the item
        return redirect(url_for("merchant.mall.edit_item", item_id=item_id), 303)
    form = RestockForm()
    if form.validate_on_submit():
        try:
            catalog.restock(
                item_id,
                form.units.data,
                actor=current_user,
                now=utcnow(),
                reason=form.reason.data or None,
            )
        except DomainError as exc:
            return _edit_page(item, error=str(exc.message), status=422, restock_form=form)
        flash(_("Stock updated."), "ok")
        return redirect_after_post(url_for("merchant.mall.edit_item", item_id=item_id))
    return _edit_page(item, status=422, restock_form=form)


@bp.route("/items/<int:item_id>/codes", methods=["GET", "POST"])
@role_required("catalog.edit")
def add_codes(item_id: int):
    item = _item_or_404(item_id)
    if request.method == "GET":  # a reload after an error: back to the item
        return redirect(url_for("merchant.mall.edit_item", item_id=item_id), 303)
    form = CodesForm()
    if form.validate_on_submit():
        try:
            added = catalog.add_codes(
                item_id, form.codes.data.splitlines(), actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            return _edit_page(item, error=str(exc.message), status=422, codes_form=form)
        flash(_("%(n)s codes added.", n=added), "ok")
        return redirect_after_post(url_for("merchant.mall.edit_item", item_id=item_id))
    return _edit_page(item, status=422, codes_form=form)


def _change_state(item_id: int, step: str):
    item = _item_or_404(item_id)
    if request.method == "GET":  # a reload after an error: back to the item
        return redirect(url_for("merchant.mall.edit_item", item_id=item_id), 303)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _edit_page(item, status=422)
    try:
        if step == "publish":
            catalog.publish(item_id, actor=current_user, now=utcnow())
        elif step == "withdraw":
            catalog.withdraw(
                item_id, actor=current_user, now=utcnow(), reason=form.reason.data or None
            )
        else:
            catalog.delete_item(item_id, actor=current_user)
            flash(_("Item deleted."), "ok")
            return redirect_after_post(url_for("merchant.mall.items"))
    except DomainError as exc:
        return _edit_page(item, error=str(exc.message), status=422)
    if step == "publish":
        flash(_("Item put on sale: members can redeem it now."), "ok")
    else:
        flash(_("Item withdrawn: members no longer see it in the mall."), "ok")
    return redirect_after_post(url_for("merchant.mall.edit_item", item_id=item_id))


@bp.route("/items/<int:item_id>/publish", methods=["GET", "POST"])
@role_required("catalog.edit")
def publish(item_id: int):
    return _change_state(item_id, "publish")


@bp.route("/items/<int:item_id>/withdraw", methods=["GET", "POST"])
@role_required("catalog.edit")
def withdraw(item_id: int):
    return _change_state(item_id, "withdraw")


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@role_required("catalog.edit")
def delete(item_id: int):
    return _change_state(item_id, "delete")


@bp.route("/categories", methods=["GET", "POST"])
@role_required("catalog.edit")
def add_category():
    if request.method == "GET":  # a reload: back to the list the form lives on
        return redirect(url_for("merchant.mall.items"), 303)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            catalog.add_category(
                form.code.data, form.name_zh.data, form.name_en.data, actor=current_user
            )
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Category added."), "ok")
    else:
        flash(_("Please check what you entered."), "error")
    return redirect_after_post(url_for("merchant.mall.items"))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required("catalog.edit")
def edit_category(category_id: int):
    """Rename a category and set its order; the list shows categories by that order."""
    category = queries.category_or_none(category_id)
    if category is None:
        abort(404)
    form = CategoryEditForm(obj=category)
    error, status = None, 200
    if form.validate_on_submit():
        try:
            catalog.update_category(
                category_id,
                form.name_zh.data,
                form.name_en.data,
                form.rank.data,
                actor=current_user,
            )
        except DomainError as exc:
            error, status = str(exc.message), 422
        else:
            flash(_("Category saved."), "ok")
            return redirect_after_post(url_for("merchant.mall.items"))
    elif form.is_submitted():
        status = 422
    return render(
        "merchant/mall/category_form.html",
        form=form,
        category=category,
        error=error,
        status=status,
    )
