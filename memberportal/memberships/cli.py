"""`flask memberships ...`: map a plan to Stripe (live mode) and drive the demo gateway."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from memberportal.core.actors import SystemActor
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships import queries, services
from memberportal.memberships.models import TERMINAL, Plan
from memberportal.payments.gateway import LiveGateway, get_gateway

memberships_cli = AppGroup("memberships", help="Paid membership: Stripe mapping, demo events.")


def _require_mode(mode: str, why: str) -> None:
    if current_app.config["PAYMENTS_MODE"] != mode:
        raise click.ClickException(f"{why} (PAYMENTS_MODE={mode}).")


@memberships_cli.command("sync-stripe")
@click.argument("plan_code")
@click.option("--force", is_flag=True, help="Create new objects even if the plan has a Price.")
def sync_stripe(plan_code: str, force: bool) -> None:
    """Create the plan's Stripe Product, Price and first-period Coupon; store their ids."""
    _require_mode("live", "sync-stripe creates objects in your Stripe account")
    plan = db.session.scalars(select(Plan).where(Plan.code == plan_code)).first()
    if plan is None:
        raise click.ClickException(f"No plan with code {plan_code}.")
    if plan.stripe_price_id and not force:
        click.echo(f"{plan.code} already uses {plan.stripe_price_id} (use --force for new ones).")
        return
    gateway = get_gateway()
    assert isinstance(gateway, LiveGateway)
    ids = gateway.create_plan_objects(plan)  # network first, then one short write
    services.update_plan(
        plan.id,
        actor=SystemActor(audit_label="cli memberships sync-stripe"),
        stripe_price_id=ids.price_id,
        stripe_coupon_id=ids.coupon_id,
    )
    click.echo(f"{plan.code}: product {ids.product_id}, price {ids.price_id}")
    if ids.coupon_id:
        click.echo(f"{plan.code}: first-period coupon {ids.coupon_id}")


DEMO_EVENTS = (
    "renewal",
    "payment_failed",
    "unpaid",
    "cancel",
    "refund",
    "dispute_open",
    "dispute_won",
    "dispute_lost",
)


@memberships_cli.command("demo-event")
@click.argument("kind", type=click.Choice(DEMO_EVENTS))
@click.option("--member", "member_no", required=True, help="The member's number.")
def demo_event(kind: str, member_no: str) -> None:
    """Make the demo processor change the member's subscription and send its signed events.

    renewal: the next period is paid at the full price; payment_failed: the renewal charge
    fails (past due, access kept); unpaid: retries ran out (ends); cancel: the subscription is
    cancelled now (ends); refund: the latest payment is refunded in full (revoked);
    dispute_open / dispute_won / dispute_lost: a dispute of the latest payment.
    """
    _require_mode("demo", "demo-event drives the offline demo processor")
    member = db.session.scalars(select(Member).where(Member.member_no == member_no)).first()
    if member is None:
        raise click.ClickException(f"No member {member_no}.")
    membership = queries.latest_membership_for_member(member.id)
    if membership is None:
        raise click.ClickException(f"Member {member_no} has no paid membership; join first.")
    if membership.status in TERMINAL:
        raise click.ClickException(f"The membership is {membership.status}; join again first.")
    _send(get_gateway(), kind, membership.stripe_subscription_id)
    db.session.expire_all()
    membership = queries.latest_membership_for_member(member.id)
    until = membership.current_period_end
    click.echo(
        f"{kind}: membership {membership.status}"
        + (f", period ends {until:%Y-%m-%d %H:%M} UTC" if until else "")
        + (", ends at period end" if membership.cancel_at_period_end else "")
    )


def _send(gateway, kind: str, sub_id: str) -> None:
    if kind in ("renewal", "payment_failed"):
        gateway.renew(sub_id, paid=kind == "renewal")
    elif kind in ("unpaid", "cancel"):
        gateway.end(sub_id, "unpaid" if kind == "unpaid" else "canceled")
    elif kind == "refund":
        gateway.refund(sub_id)
    elif kind == "dispute_open":
        if gateway.open_dispute(sub_id) is None:
            raise click.ClickException("The latest payment was disputed already: renew first.")
    else:
        dispute = gateway.open_dispute_of(sub_id)
        if dispute is None:
            raise click.ClickException("No open dispute: send dispute_open first.")
        gateway.close_dispute(dispute, kind.removeprefix("dispute_"))
