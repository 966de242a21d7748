"""The scheduler starts each recurring job once per brand-local slot, even when several
schedulers run at once; in the fallback it runs the real commands in-process."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from memberportal.notifications import schedule
from memberportal.notifications.rules import Schedule, slot
from tests import factories
from tests.concurrency.test_mall_races import run_threads
from tests.notifications.helpers import events
from tests.points_helpers import earn, state

# 00:06 on 9 March 2027 in Shanghai: points expire (00:05) is due, tiers reevaluate (00:20) not.
AT_0006 = datetime(2027, 3, 8, 16, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("job", "local", "expected"),
    [
        (Schedule("d", ("x",), at=datetime.min.time().replace(hour=0, minute=5)),
         datetime(2027, 3, 9, 0, 4), None),
        (Schedule("d", ("x",), at=datetime.min.time().replace(hour=0, minute=5)),
         datetime(2027, 3, 9, 0, 5), "2027-03-09"),
        (Schedule("d", ("x",), at=datetime.min.time().replace(hour=0, minute=5)),
         datetime(2027, 3, 9, 23, 59), "2027-03-09"),
        (Schedule("i", ("x",), every_minutes=5), datetime(2027, 3, 9, 0, 4), "2027-03-09/0"),
        (Schedule("i", ("x",), every_minutes=5), datetime(2027, 3, 9, 0, 5), "2027-03-09/1"),
        (Schedule("i", ("x",), every_minutes=10), datetime(2027, 3, 9, 23, 59), "2027-03-09/143"),
    ],
)  # fmt: skip
def test_slots(job, local, expected):
    assert slot(job, local) == expected


@pytest.mark.concurrency
def test_four_schedulers_at_once_start_each_job_once(app):
    started = []
    runs = []

    def scheduler():
        started.extend(schedule.tick(AT_0006, lambda job: runs.append(job.name)))

    with time_machine.travel(AT_0006, tick=False):
        outcomes = run_threads(app, [scheduler] * 4)
    assert outcomes == ["ok"] * 4
    expected = ["points expire", "mall release-expired", "risk scan", "notifications sweep"]
    assert sorted(runs) == sorted(expected) and sorted(started) == sorted(expected)
    # A minute later only the every-minute sweep is owed again.
    later = []
    schedule.tick(AT_0006 + timedelta(minutes=1), lambda job: later.append(job.name))
    assert later == ["notifications sweep"]


def test_fallback_scheduler_runs_the_real_jobs_at_brand_time(app):
    member_id = factories.member().id
    earn(member_id, 40, now=AT_0006 - timedelta(days=40), days=30)
    earn(member_id, 60, now=AT_0006 - timedelta(days=40), days=60)  # lapses in 20 days: warned
    with time_machine.travel(AT_0006, tick=False):
        result = app.test_cli_runner().invoke(args=["notifications", "scheduler", "--once"])
        again = app.test_cli_runner().invoke(args=["notifications", "scheduler", "--once"])
    assert "points expire" in result.output and "points expire" not in again.output
    assert state(member_id)["balance"] == 60
    assert sorted(kind for kind, _ in events(member_id)) == ["points.expired", "points.expiring"]
