"""Data-rights use cases: the member's export, and closing the account."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from werkzeug.security import check_password_hash

from memberportal.accounts.models import PasswordReset
from memberportal.accounts.rules import canonical_phone
from memberportal.audit import services as audit
from memberportal.claims import receipts
from memberportal.claims.models import PENDING, REJECTED, Claim
from memberportal.core.db import use_case
from memberportal.extensions import db
from memberportal.mall.models import Order
from memberportal.members.models import Member
from memberportal.memberships.models import ENTITLED, Membership
from memberportal.points import ledger
from memberportal.privacy import queries, rules
from memberportal.privacy.errors import (
    AccountUnderReview,
    AlreadyClosed,
    ClosureNotConfirmed,
    OrdersStillOpen,
    PaidCardStillRunning,
    WrongPassword,
)
from memberportal.reviews.models import Review

members = Member.__table__
claims = Claim.__table__
orders = Order.__table__

# Mall orders the store still owes or holds: the member must collect or cancel them first.
OPEN_ORDERS = ("awaiting_payment", "placed", "ready_for_pickup", "shipped")
# Why a closed account's open claims were closed (kept in the books, in the data language).
CLOSED_REASON = "account closed"
# What stands in for a closed account's password hash.
UNUSABLE_HASH = "!closed"  # noqa: S105 - not a secret: no hash ever matches it


@use_case
def export_data(member_id: int, *, actor, now: datetime) -> bytes:
    """Everything held about the member as a zip (data.json and one CSV per section: profile,
    ledger, purchases, refunds, mall orders, coupons, paid memberships and their payments,
    sign-ins, reviews, referrals, claims). Writes an audit row, so staff see that the data
    left; reads only this member's rows (privacy.queries)."""
    archive = rules.build_zip(queries.member_sections(member_id))
    audit.record(
        "member.data_exported", actor=actor, subject_type="member", subject_id=member_id,
        bytes=len(archive),
    )  # fmt: skip
    return archive


@use_case
def close_account(
    member_id: int, password: str, *, confirmed: bool, actor, now: datetime
) -> list[str]:  # fmt: skip
    """The member closes the account (PIPL right to erasure).

    Refuses (nothing written) without the confirmation or the right password, while the paid
    card still runs, while points-mall orders are open, while the account is frozen for
    review, and once closed. Then, in one transaction: the points left are forfeited through
    the ledger (a spend of kind 'account_closed', so the books balance); name, phone, email,
    birthday and password are erased and the card code replaced (the phone or email may
    register again at once); sessions end (session_version); reviews, password resets and
    claim photos and notes are deleted, mall shipping addresses erased; the ledger,
    purchases, orders, coupons and referrals stay, tied only to the member number. An audit
    row records the closure. Returns the claim photos to delete from disk once this has
    committed (delete_unused_receipts). Concurrency: one conditional UPDATE (WHERE closed_at
    IS NULL AND frozen_at IS NULL) closes the row; a second closure at once finds it closed.
    """
    if not confirmed:
        raise ClosureNotConfirmed()
    member = db.session.get(Member, member_id)
    if member is None or member.closed_at is not None:
        raise AlreadyClosed()
    if not check_password_hash(member.password_hash, password or ""):
        raise WrongPassword()
    if member.frozen_at is not None:
        raise AccountUnderReview()
    _refuse_while_open(member_id)
    member_no, balance = member.member_no, member.points_balance
    phone, email = member.phone, (member.email or "").lower()
    if balance > 0:
        ledger.spend(
            member_id, balance, kind="account_closed", source_type="member",
            source_id=member_id, actor=actor, now=now,
        )  # fmt: skip
    closed = db.session.execute(
        update(members)
        .where(members.c.id == member_id, members.c.closed_at.is_(None),
               members.c.frozen_at.is_(None))
        .values(
            name="", phone=None, email=None, birthday=None, password_hash=UNUSABLE_HASH,
            card_code="CLOSED" + secrets.token_hex(10).upper(), is_active_member=False,
            session_version=members.c.session_version + 1, closed_at=now,
        )
    ).rowcount  # fmt: skip
    if not closed:
        raise AlreadyClosed()
    photos = _erase_content(member_id, actor=actor, now=now)
    audit.erase_typed_contact(
        "member.sign_in_failed",
        lambda typed: bool(
            (phone and canonical_phone(typed) == phone) or (email and typed.lower() == email)
        ),
    )
    audit.record(
        "member.account_closed", actor=actor, subject_type="member", subject_id=member_id,
        member_no=member_no, points_forfeited=max(balance, 0),
    )  # fmt: skip
    db.session.expire(member)
    return photos


def _refuse_while_open(member_id: int) -> None:
    card = select(Membership.id).where(
        Membership.member_id == member_id, Membership.status.in_(ENTITLED)
    )
    if db.session.scalar(select(exists(card))):
        raise PaidCardStillRunning()
    open_orders = select(Order.id).where(
        Order.member_id == member_id, Order.status.in_(OPEN_ORDERS)
    )
    if db.session.scalar(select(exists(open_orders))):
        raise OrdersStillOpen()


def _erase_content(member_id: int, *, actor, now) -> list[str]:
    """Delete or blank what the member wrote or sent, close their open claims; return the
    claim photos to delete."""
    photos = list(
        db.session.scalars(
            select(claims.c.receipt).where(
                claims.c.member_id == member_id, claims.c.receipt.is_not(None)
            )
        )
    )
    db.session.execute(
        update(claims).where(claims.c.member_id == member_id).values(receipt=None, note=None)
    )
    db.session.execute(
        update(claims)
        .where(claims.c.member_id == member_id, claims.c.status == PENDING)
        .values(status=REJECTED, decided_at=now, decided_by=actor.audit_label,
                reject_reason=CLOSED_REASON)
    )  # fmt: skip
    db.session.execute(
        update(orders).where(orders.c.member_id == member_id).values(shipping_address=None)
    )
    db.session.execute(delete(Review.__table__).where(Review.member_id == member_id))
    db.session.execute(delete(PasswordReset.__table__).where(PasswordReset.member_id == member_id))
    return photos


def delete_unused_receipts(names: list[str]) -> None:
    """After the closure committed: remove the photos no claim names any more (photos are
    stored by their hash, so another member's identical photo keeps the file)."""
    for name in set(names):
        still_used = db.session.scalar(select(exists().where(claims.c.receipt == name)))
        if not still_used:
            receipts.delete_receipt(name)
