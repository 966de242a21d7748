"""Bulk points: a CSV previewed line by line, confirmed, applied through the one adjustment
path a step at a time; the same file once; every line audited; a report of every line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.bulk import queries
from memberportal.bulk import services as bulk
from memberportal.bulk.models import BulkRow
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.points.models import AdjustmentRequest
from tests import factories
from tests.points_helpers import assert_invariants, earn


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def rows_of(upload_id: int) -> dict[int, BulkRow]:
    db.session.expire_all()
    return {r.line_no: r for r in db.session.scalars(select(BulkRow).where(
        BulkRow.upload_id == upload_id))}  # fmt: skip


def run_all(upload_id: int, limit: int = 2):
    steps = 0
    while True:
        upload = bulk.run_step(upload_id, now=utcnow(), limit=limit)
        steps += 1
        if upload.status != "running":
            return upload, steps


@pytest.fixture
def people():
    manager = factories.staff("manager")
    li = factories.member(contact="13900000011")
    han = factories.member(contact="13900000012")
    earn(han.id, 100)
    return manager, li, han


def test_preview_gives_each_line_its_outcome_and_changes_nothing(people):
    manager, li, han = people
    data = csv_bytes(
        "member,points,reason",
        f"{li.member_no},200,opening gift",
        "139 0000 0012,-60,duplicate purchase",  # a phone, in another spelling
        f"{han.member_no},-60,second take: 40 left, so this would go negative",
        "99999999,10,nobody",
        f"{li.member_no},abc,bad number",
        f"{li.member_no},5000,above the approval threshold",
        f"{li.member_no},10,",
    )
    upload = bulk.upload_points("gift.csv", data, actor=manager, now=utcnow())
    assert upload.total_rows == 7 and upload.status == "previewed"
    rows = rows_of(upload.id)
    assert {n: (r.outcome, r.problem) for n, r in rows.items()} == {
        2: ("ok", None), 3: ("ok", None), 4: ("negative", None),
        5: ("unknown_member", None), 6: ("invalid", "points_not_a_number"),
        7: ("approval", None), 8: ("invalid", "reason_missing"),
    }  # fmt: skip
    assert rows[3].member_id == han.id
    assert assert_invariants(li.id)["balance"] == 0
    assert assert_invariants(han.id)["balance"] == 100


def test_confirm_applies_through_the_adjustment_path_and_audits_every_line(people):
    manager, li, han = people
    data = csv_bytes(
        f"{li.member_no},200,opening gift",
        f"{han.member_no},-60,duplicate purchase",
        f"{han.member_no},-60,would go negative",
        "99999999,10,nobody",
        f"{li.member_no},5000,big gift",
    )
    upload = bulk.upload_points("gift.csv", data, actor=manager, now=utcnow())
    bulk.confirm(upload.id, actor=manager, now=utcnow())
    upload, steps = run_all(upload.id, limit=2)
    assert upload.status == "done" and steps == 3
    assert assert_invariants(li.id)["balance"] == 200
    assert assert_invariants(han.id)["balance"] == 40
    rows = rows_of(upload.id)
    assert [rows[n].result for n in range(1, 6)] == [
        "applied", "applied", "skipped", "skipped", "requested",
    ]  # fmt: skip
    request = db.session.get(AdjustmentRequest, rows[5].ref_id)
    assert (request.points, request.status, request.maker_id) == (5000, "pending", manager.id)
    audit = db.session.execute(
        select(AuditEntry.action, AuditEntry.details).where(AuditEntry.action.like("%.%"))
        .where(AuditEntry.action.in_(["points.adjusted", "points.adjustment_requested",
                                      "bulk.row_skipped"]))
        .order_by(AuditEntry.id)
    ).all()  # fmt: skip
    assert [(a, d["line"], d["bulk_upload"]) for a, d in audit] == [
        ("points.adjusted", 1, upload.id), ("points.adjusted", 2, upload.id),
        ("bulk.row_skipped", 3, upload.id), ("bulk.row_skipped", 4, upload.id),
        ("points.adjustment_requested", 5, upload.id),
    ]  # fmt: skip
    assert queries.counts(upload.id, "result") == {"applied": 2, "skipped": 2, "requested": 1}


def test_a_line_the_ledger_refuses_at_run_time_fails_alone(people):
    manager, li, han = people
    data = csv_bytes(f"{han.member_no},-80,take", f"{li.member_no},30,gift")
    upload = bulk.upload_points("x.csv", data, actor=manager, now=utcnow())
    from tests.points_helpers import spend

    spend(han.id, 50)  # the balance moved after the preview: 50 left, 80 to take
    bulk.confirm(upload.id, actor=manager, now=utcnow())
    run_all(upload.id, limit=10)
    rows = rows_of(upload.id)
    assert (rows[1].result, rows[1].error) == ("failed", "insufficient_points")
    assert rows[2].result == "applied"
    assert assert_invariants(han.id)["balance"] == 50
    assert assert_invariants(li.id)["balance"] == 30


def test_the_same_file_twice_is_refused_until_its_preview_is_cancelled(people):
    manager, li, _han = people
    data = csv_bytes(f"{li.member_no},10,gift")
    first = bulk.upload_points("a.csv", data, actor=manager, now=utcnow())
    with pytest.raises(bulk.AlreadyUploaded) as refused:
        bulk.upload_points("renamed.csv", data, actor=manager, now=utcnow())
    assert refused.value.details["earlier_id"] == first.id
    bulk.cancel(first.id, actor=manager, now=utcnow())
    again = bulk.upload_points("a.csv", data, actor=manager, now=utcnow())
    bulk.confirm(again.id, actor=manager, now=utcnow())
    run_all(again.id)
    with pytest.raises(bulk.AlreadyUploaded):
        bulk.upload_points("a.csv", data, actor=manager, now=utcnow())
    assert assert_invariants(li.id)["balance"] == 10


def test_a_confirmed_upload_cannot_be_confirmed_or_run_twice(people):
    manager, li, _han = people
    upload = bulk.upload_points("a.csv", csv_bytes(f"{li.member_no},10,gift"), actor=manager,
                                now=utcnow())  # fmt: skip
    bulk.confirm(upload.id, actor=manager, now=utcnow())
    with pytest.raises(bulk.NotPreviewed):
        bulk.confirm(upload.id, actor=manager, now=utcnow())
    run_all(upload.id)
    run_all(upload.id)
    assert assert_invariants(li.id)["balance"] == 10
    finished = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "bulk.finished")
    )
    assert finished == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", bulk.EmptyFile), (b"\x00\x01\x02", bulk.UnreadableFile),
     (b"member,points,reason\n", bulk.EmptyFile)],
)  # fmt: skip
def test_unusable_files_are_refused_and_store_nothing(people, data, error):
    manager, _li, _han = people
    with pytest.raises(error):
        bulk.upload_points("bad.csv", data, actor=manager, now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(BulkRow)) == 0


def test_a_spreadsheet_saved_in_chinese_encoding_is_read(people):
    manager, li, _han = people
    data = f"会员,积分,原因\n{li.member_no},15,开业礼品\n".encode("gb18030")
    upload = bulk.upload_points("zh.csv", data, actor=manager, now=utcnow())
    [row] = rows_of(upload.id).values()
    assert (row.outcome, row.data["reason"], row.line_no) == ("ok", "开业礼品", 2)
