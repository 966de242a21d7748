"""Member import: a CSV previewed line by line, then members created with their starting
growth and points through the same paths as everywhere else."""

from __future__ import annotations

from sqlalchemy import func, select

from memberportal.accounts.services import authenticate_member
from memberportal.audit.models import AuditEntry
from memberportal.bulk import services as bulk
from memberportal.bulk.models import BulkRow
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import AdjustmentRequest
from tests import factories
from tests.points_helpers import assert_invariants


def rows_of(upload_id: int) -> dict[int, BulkRow]:
    db.session.expire_all()
    query = select(BulkRow).where(BulkRow.upload_id == upload_id)
    return {r.line_no: r for r in db.session.scalars(query)}


def member_with(contact: str) -> Member | None:
    db.session.expire_all()
    return db.session.scalars(
        select(Member).where((Member.phone == contact) | (Member.email == contact))
    ).first()


def test_preview_then_import_with_starting_growth_and_points():
    manager = factories.staff("manager")
    factories.member(contact="13900000021")
    data = "\n".join([
        "姓名,手机或邮箱,成长值,积分",
        "李雷,139 0000 0031,600,300",       # VIP3 needs 500 growth
        "Lucy,Lucy@Example.com,,",
        "韩梅梅,13900000021,0,0",          # already a member
        "重复,+8613900000031,0,0",          # the same phone as line 2
        ",13900000041,0,0",                # no name
        "大户,13900000051,0,5000",         # above the approval threshold
        "坏号码,12345,0,0",
    ]).encode()  # fmt: skip
    upload = bulk.upload_members("old-crm.csv", data, actor=manager, now=utcnow())
    rows = rows_of(upload.id)
    assert {n: (r.outcome, r.problem) for n, r in rows.items()} == {
        2: ("ok", None), 3: ("ok", None), 4: ("duplicate", None),
        5: ("invalid", "contact_twice"), 6: ("invalid", "name_missing"),
        7: ("approval", None), 8: ("invalid", "contact_invalid"),
    }  # fmt: skip
    assert member_with("+8613900000031") is None

    bulk.confirm(upload.id, actor=manager, now=utcnow())
    while bulk.run_step(upload.id, now=utcnow(), limit=3).status == "running":
        pass
    li = member_with("+8613900000031")
    assert (li.name, li.growth_spend, li.tier.code) == ("李雷", 600, "VIP3")
    assert assert_invariants(li.id)["balance"] == 300
    lucy = member_with("lucy@example.com")
    assert lucy.points_balance == 0 and lucy.tier.code == "VIP1"
    big = member_with("+8613900000051")
    assert big.points_balance == 0
    request = db.session.scalars(select(AdjustmentRequest)).one()
    assert (request.member_id, request.points, request.status) == (big.id, 5000, "pending")
    rows = rows_of(upload.id)
    assert [rows[n].result for n in range(2, 9)] == [
        "applied", "applied", "skipped", "skipped", "skipped", "requested", "skipped",
    ]  # fmt: skip
    assert rows[2].member_id == li.id
    imported = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "member.imported"))  # fmt: skip
    assert imported == 3
    # No password yet: nothing signs in until a store issues a reset.
    assert authenticate_member("13900000031", "!imported") is None


def test_someone_who_joined_after_the_preview_is_skipped_not_duplicated():
    manager = factories.staff("manager")
    upload = bulk.upload_members(
        "a.csv", "李雷,13900000061,0,10\n".encode(), actor=manager, now=utcnow()
    )
    factories.member(contact="13900000061")
    bulk.confirm(upload.id, actor=manager, now=utcnow())
    bulk.run_step(upload.id, now=utcnow())
    [row] = rows_of(upload.id).values()
    assert (row.result, row.error) == ("skipped", "contact_taken")
    count = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.phone == "+8613900000061"))  # fmt: skip
    assert count == 1
    assert member_with("+8613900000061").points_balance == 0
