"""API use cases: managing clients and answering a request key exactly once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, exc, exists, or_, select, update

from memberportal.api.errors import api_code, error_body
from memberportal.api.models import ApiClient, ClientActor, IdempotencyRecord
from memberportal.api.rules import hash_token, new_token
from memberportal.audit import services as audit
from memberportal.core.actors import Actor
from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once_statement, use_case
from memberportal.core.errors import AlreadyExists, DomainError, NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase

IDEMPOTENCY_KEEP = timedelta(days=7)


class ClientNameTaken(AlreadyExists):
    code = "client_name_taken"
    default_message = _l("An API client with this name already exists.")


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409
    default_message = _l("This request key was already used with a different request.")


ORDER_REF_CONFLICT = _l("This order reference was already recorded with a different request.")


@use_case
def create_client(name: str, *, actor: Actor) -> tuple[ApiClient, str]:
    """Create a client and return it with its token, which is never stored or shown again.

    Raises ValidationFailed for an empty name and ClientNameTaken (UNIQUE name)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_l("Give the client a name of at most 100 characters."))
    token, prefix = new_token()
    client = ApiClient(name=name, token_prefix=prefix, token_hash=hash_token(token))
    try:
        with db.session.begin_nested():
            db.session.add(client)
    except exc.IntegrityError:
        raise ClientNameTaken() from None
    audit.record("api_client.created", actor=actor, subject_type="api_client", subject_id=client.id)
    return client, token


@use_case
def rotate_token(
    client_id: int, *, actor: Actor, now: datetime | None = None
) -> tuple[ApiClient, str]:
    """Give an active client a new token; the old one stops working with this commit.

    One conditional UPDATE, so a rotation racing a revocation cannot revive the client."""
    now = now or utcnow()
    token, prefix = new_token()
    changed = db.session.execute(
        update(ApiClient)
        .where(ApiClient.id == client_id, ApiClient.revoked_at.is_(None))
        .values(token_hash=hash_token(token), token_prefix=prefix, rotated_at=now)
    ).rowcount
    if not changed:
        raise NotFound(_l("No active API client with this id."))
    audit.record("api_client.rotated", actor=actor, subject_type="api_client", subject_id=client_id)
    client = db.session.get(ApiClient, client_id)
    db.session.refresh(client)
    return client, token


@use_case
def revoke_client(client_id: int, *, actor: Actor, now: datetime | None = None) -> None:
    """Revoke a client at once; revoking twice changes nothing the second time."""
    changed = db.session.execute(
        update(ApiClient)
        .where(ApiClient.id == client_id, ApiClient.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    ).rowcount
    if changed:
        audit.record(
            "api_client.revoked", actor=actor, subject_type="api_client", subject_id=client_id
        )


_clients = ApiClient.__table__
_CLIENT_BY_HASH = select(_clients.c.id, _clients.c.name, _clients.c.revoked_at.is_not(None)).where(
    _clients.c.token_hash == bindparam("token_hash")
)


def client_for_token_hash(token_hash: str) -> ClientActor | None:
    row = db.session.execute(_CLIENT_BY_HASH, {"token_hash": token_hash}).first()
    return ClientActor(*row) if row else None


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool


@functools.cache
def _insert_ignoring_duplicates(dialect: str):
    """Built once per engine kind (building it costs more than running it)."""
    table = IdempotencyRecord.__table__
    return insert_once_statement(table, conflict=["client_id", "key"], returning=(table.c.id,))


class _AlreadyAnswered(Exception):
    """Another request with this key committed its answer first: roll back, then replay."""


def answer_once(
    client_id: int,
    key: str,
    fingerprint: str,
    compute: Callable[[], tuple[int, dict]],
    *,
    resource: str | None = None,
) -> Answer:
    """Run `compute` for the first request with this key and store its answer; replay it after.

    The answer is stored with what `compute` wrote, in its transaction, by one INSERT ..
    ON CONFLICT DO NOTHING on the key: if a request with the same key committed first (a
    retry, or a concurrent request that waited on the unique index until it committed),
    nothing is stored, everything `compute` wrote is rolled back and the first answer is
    replayed; so N simultaneous retries make one effect and N identical answers. A domain
    error rolls back everything `compute` wrote, and its answer is then stored in a
    transaction of its own (it is the answer); an unexpected error stores nothing, so the
    client may retry. The same key with a different request raises IdempotencyConflict."""
    try:
        return _answer_first(client_id, key, fingerprint, compute, resource)
    except _AlreadyAnswered:
        return _replay(client_id, key, fingerprint)
    except IdempotencyConflict:
        raise
    except DomainError as error:
        return answer_error(client_id, key, fingerprint, resource, error)


@use_case
def _answer_first(client_id, key, fingerprint, compute, resource) -> Answer:
    status, body = compute()
    if _claim(client_id, key, fingerprint, resource, status, body) is None:
        raise _AlreadyAnswered()
    return Answer(status, body, False)


@use_case
def answer_error(client_id, key, fingerprint, resource, error: DomainError) -> Answer:
    """Store a refusal as the answer to the key (unless one is stored already: replay it)."""
    status, body = api_code(error).status, error_body(error)
    if _claim(client_id, key, fingerprint, resource, status, body) is None:
        return _replay(client_id, key, fingerprint)  # a request with this key answered first
    return Answer(status, body, False)


def _claim(client_id, key, fingerprint, resource, status, body) -> int | None:
    values = dict(client_id=client_id, key=key, request_hash=fingerprint, resource=resource,
                  status=status, body=body, created_at=utcnow())  # fmt: skip
    statement = _insert_ignoring_duplicates(db.session.get_bind().dialect.name)
    return db.session.execute(statement, values).scalar()


def _replay(client_id: int, key: str, fingerprint: str) -> Answer:
    first = db.session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key
        )
    ).one()
    if first.request_hash != fingerprint:
        raise IdempotencyConflict()
    return Answer(first.status, first.body, True)


def first_answer_for(
    client_id: int, resource: str, fingerprint: str, *, status: int | None = None,
    conflict: str | None = None,
) -> Answer | None:  # fmt: skip
    """The stored answer of the request that created `resource` (e.g. a purchase); with
    `status`, the first answer with that status (a refusal before it created nothing).

    A retry under another request key replays it only if it is the same request: the same
    order reference with another body (another amount, member or store) raises
    IdempotencyConflict with `conflict` as its message, so a till never takes the first
    answer for a record of its new one."""
    where = [IdempotencyRecord.client_id == client_id, IdempotencyRecord.resource == resource]
    if status is not None:
        where.append(IdempotencyRecord.status == status)
    record = db.session.scalars(
        select(IdempotencyRecord).where(*where).order_by(IdempotencyRecord.id).limit(1)
    ).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyConflict(conflict or ORDER_REF_CONFLICT)
    return Answer(record.status, record.body, True)


# A purchase reported through the API is written only while no other answer is stored under
# its request key (a refusal stored by answer_error): purchases.services.ReportedBy.
PURCHASE_UNANSWERED = ~exists().where(
    IdempotencyRecord.client_id == bindparam("client_id"),
    IdempotencyRecord.key == bindparam("request_key"),
)


def purchase_answer(client_id: int, key: str, order_ref: str, fingerprint: str) -> Answer | None:
    """The first answer to a purchase request that is not written a second time: a refusal
    stored under the key, or the purchase recorded under the key or the order reference
    (answered from its own row). None when neither exists. The same key or order with
    another request raises IdempotencyConflict."""
    stored = db.session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key
        )
    ).first()
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise IdempotencyConflict()
        return Answer(stored.status, stored.body, True)
    source = f"api:{client_id}"
    row = db.session.execute(
        select(Purchase, Member.member_no)
        .join(Member, Member.id == Purchase.member_id)
        .where(Purchase.source == source,
               or_(Purchase.request_key == key, Purchase.order_ref == order_ref))
        .order_by((Purchase.request_key == key).desc())
        .limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    purchase, member_no = row
    if purchase.request_hash is None:  # answered before answers were kept on the purchase
        return first_answer_for(client_id, f"purchase:{order_ref}", fingerprint)
    if purchase.request_hash != fingerprint:
        raise IdempotencyConflict(None if purchase.request_key == key else ORDER_REF_CONFLICT)
    return Answer(201, purchase_answer_body(purchase, member_no), True)


def purchase_answer_body(purchase: Purchase, member_no: str) -> dict:
    """What POST /api/v1/purchases answers, from the purchase's row."""
    old, _, new = (purchase.tier_move or "").partition("->")
    return {
        "purchase_id": purchase.id,
        "order_ref": purchase.order_ref,
        "member_no": member_no,
        "points_earned": purchase.points_earned,
        "growth_earned": purchase.growth_earned,
        "balance": purchase.balance_after,
        "tier": purchase.tier_after,
        "tier_change": {"old": old, "new": new} if new else None,
    }


@use_case
def purge_idempotency(*, now: datetime | None = None) -> int:
    """Forget request keys older than the 7 days clients may retry within."""
    cutoff = (now or utcnow()) - IDEMPOTENCY_KEEP
    return db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
    ).rowcount
