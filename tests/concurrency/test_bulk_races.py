"""Two steps of one bulk upload at once (two open tabs): every line is applied once; the
same file uploaded twice at once is taken once."""

import pytest
from sqlalchemy import func, select

from memberportal.accounts.models import StaffUser
from memberportal.bulk import services as bulk
from memberportal.bulk.models import BulkUpload
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import LedgerEntry
from tests import factories
from tests.concurrency.test_mall_races import run_threads

pytestmark = pytest.mark.concurrency


@pytest.mark.parametrize("attempt", range(2))
def test_two_steps_at_once_apply_each_line_once(app, attempt):
    manager = factories.staff("manager")
    members = [factories.member() for _ in range(4)]
    data = "".join(f"{m.member_no},{n + 1},race\n" for n, m in enumerate(members * 3)).encode()
    upload = bulk.upload_points(f"race{attempt}.csv", data, actor=manager, now=utcnow())
    upload_id = upload.id  # read here: the threads must not touch this session's objects
    bulk.confirm(upload_id, actor=manager, now=utcnow())

    def step():
        bulk.run_step(upload_id, now=utcnow(), limit=12)

    assert run_threads(app, [step, step, step]) == ["ok", "ok", "ok"]
    db.session.expire_all()
    entries = db.session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "adjust")
    )
    assert entries == 12
    total = db.session.scalar(select(func.sum(Member.points_balance)))
    assert total == sum(range(1, 13))
    assert db.session.get(BulkUpload, upload_id).status == "done"


def test_the_same_file_uploaded_twice_at_once_is_taken_once(app):
    manager_id = factories.staff("manager").id
    member = factories.member()
    data = f"{member.member_no},5,twice\n".encode()

    def upload():
        staff = db.session.get(StaffUser, manager_id)
        bulk.upload_points("twice.csv", data, actor=staff, now=utcnow())

    assert sorted(run_threads(app, [upload, upload])) == ["AlreadyUploaded", "ok"]
    assert db.session.scalar(select(func.count()).select_from(BulkUpload)) == 1
