"""Owner: API clients for tills and shops. A token is shown once, then only its prefix."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.api import queries, services
from memberportal.api.forms import ClientForm, ConfirmForm
from memberportal.core.auth import role_required
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render

bp = Blueprint("api_clients", __name__, url_prefix="/api-clients")


def _page(form, *, token=None, token_client=None, status=200):
    response = render(
        "merchant/api/clients.html",
        form=form,
        confirm=ConfirmForm(),
        usage=queries.clients_with_usage(),
        token=token,
        token_client=token_client,
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"  # a new token must not linger in a cache
    return response


@bp.route("/", methods=["GET", "POST"])
@role_required("api_clients.manage")
def index():
    form = ClientForm()
    if form.validate_on_submit():
        try:
            client, token = services.create_client(form.name.data, actor=current_user)
        except DomainError as error:
            form.name.errors.append(str(error.message))
        else:
            return _page(ClientForm(formdata=None), token=token, token_client=client, status=201)
    return _page(form, status=422 if form.errors else 200)


@bp.route("/<int:client_id>/rotate", methods=["GET", "POST"])
@role_required("api_clients.manage")
def rotate(client_id: int):
    if request.method == "GET":  # a reload: back to the list
        return redirect(url_for("merchant.api_clients.index"), 303)
    if not ConfirmForm().validate_on_submit():
        return redirect_after_post(url_for("merchant.api_clients.index"))
    try:
        client, token = services.rotate_token(client_id, actor=current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect_after_post(url_for("merchant.api_clients.index"))
    return _page(ClientForm(formdata=None), token=token, token_client=client)


@bp.route("/<int:client_id>/revoke", methods=["GET", "POST"])
@role_required("api_clients.manage")
def revoke(client_id: int):
    if request.method == "GET":  # a reload: back to the list
        return redirect(url_for("merchant.api_clients.index"), 303)
    if ConfirmForm().validate_on_submit():
        services.revoke_client(client_id, actor=current_user)
        flash(_("The client's token no longer works."), "success")
    return redirect_after_post(url_for("merchant.api_clients.index"))
