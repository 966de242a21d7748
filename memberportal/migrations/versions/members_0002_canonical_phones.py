"""members: phones in one canonical form (E.164), so one number is one identity

Revision ID: members_0002
Revises: api_0003
Create Date: 2026-12-06 11:00:00.000000

"13800000001", "+86 138 0000 0001" and "138-0000-0001" were stored as three different
members. Every phone is rewritten to E.164 (the region of numbers without a country code is
PHONE_REGION, CN by default); the UNIQUE index on members.phone then holds for the number,
not its spelling. Numbers that are not valid mobiles are left as they are (the member can
still sign in by email or be corrected by staff); if two members' numbers become one, the
migration stops and names them, so nobody's account is merged silently.
"""
import os

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'members_0002'
down_revision = 'api_0003'
branch_labels = None
depends_on = None


def canonical_rows(rows, region):
    """[(id, member_no, phone)] -> {id: new phone} for the rows whose phone changes; raises
    RuntimeError listing the member numbers that would share one number."""
    from memberportal.accounts.rules import canonical_phone

    owner, changes, clashes = {}, {}, []
    for member_id, member_no, phone in rows:
        canonical = canonical_phone(phone, region) or phone
        if canonical in owner:
            clashes.append((owner[canonical][1], member_no, canonical))
            continue
        owner[canonical] = (member_id, member_no)
        if canonical != phone:
            changes[member_id] = canonical
    if clashes:
        listed = "; ".join(f"{a} and {b} share {p}" for a, b, p in clashes)
        raise RuntimeError(f"members with one phone number in two spellings: {listed}")
    return changes


def upgrade():
    bind = op.get_bind()
    members = sa.table('members', sa.column('id'), sa.column('member_no'), sa.column('phone'))
    rows = bind.execute(
        sa.select(members.c.id, members.c.member_no, members.c.phone)
        .where(members.c.phone.is_not(None)).order_by(members.c.id)
    ).all()
    changes = canonical_rows(rows, os.environ.get("PHONE_REGION", "CN"))
    # Two passes so a rewrite never collides with a row not yet rewritten.
    for member_id in changes:
        bind.execute(members.update().where(members.c.id == member_id)
                     .values(phone=f"~{member_id}"))
    for member_id, phone in changes.items():
        bind.execute(members.update().where(members.c.id == member_id).values(phone=phone))


def downgrade():
    pass  # the canonical form is a valid spelling of every number: nothing to undo
