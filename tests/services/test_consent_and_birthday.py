"""Joining needs the privacy notice accepted; a member sets the birthday once, staff correct it."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import local_date, utcnow
from memberportal.extensions import db
from memberportal.members import services
from memberportal.members.models import Member
from memberportal.members.rules import CONSENT_VERSION
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR


def members() -> int:
    return db.session.scalar(select(func.count(Member.id)))


def birthday_of(member_id: int):
    db.session.expire_all()
    return db.session.get(Member, member_id).birthday


@pytest.mark.parametrize("version", [None, "", "2020-01"])
def test_no_member_without_the_current_consent(version):
    with pytest.raises(services.ConsentRequired):
        services.register("王五", "13900000111", factories.PASSWORD, consent_version=version)
    assert members() == 0


def test_the_accepted_version_and_time_are_kept():
    before = utcnow()
    member = services.register(
        "王五", "13900000112", factories.PASSWORD, consent_version=CONSENT_VERSION
    )
    assert member.consent_version == CONSENT_VERSION
    assert before <= member.consented_at <= utcnow()


def test_the_birthday_is_set_once_and_never_in_the_future():
    member = factories.member()
    with pytest.raises(services.InvalidBirthday):
        services.update_profile(member.id, "王五", local_date(utcnow()) + timedelta(days=1),
                                actor=member)  # fmt: skip
    with pytest.raises(services.InvalidBirthday):
        services.update_profile(member.id, "王五", date(1899, 12, 31), actor=member)
    assert birthday_of(member.id) is None
    services.update_profile(member.id, "王五", date(1990, 5, 4), actor=member)
    services.update_profile(member.id, "王小五", date(1990, 5, 4), actor=member)  # same day: fine
    with pytest.raises(services.BirthdayLocked):
        services.update_profile(member.id, "王五", date(1990, 6, 4), actor=member)
    assert birthday_of(member.id) == date(1990, 5, 4)


def test_the_database_refuses_an_implausible_birthday():
    from sqlalchemy import exc

    member = factories.member()
    with pytest.raises(exc.IntegrityError):
        db.session.execute(
            update(Member).where(Member.id == member.id).values(birthday=date(1800, 1, 1))
        )
        db.session.flush()
    db.session.rollback()


def test_staff_correct_it_with_a_reason_and_it_is_audited():
    member = factories.member()
    services.update_profile(member.id, "王五", date(1990, 5, 4), actor=member)
    manager = factories.staff("manager")
    with pytest.raises(services.ReasonRequired):
        services.correct_birthday(member.id, date(1990, 4, 5), " ", actor=manager)
    services.correct_birthday(member.id, date(1990, 4, 5), "typed day and month the wrong way",
                              actor=manager)  # fmt: skip
    assert birthday_of(member.id) == date(1990, 4, 5)
    row = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "member.birthday_corrected")
    ).one()
    assert (row.details["old"], row.details["new"]) == ("1990-05-04", "1990-04-05")
    assert row.reason == "typed day and month the wrong way" and row.actor_id == manager.id


@pytest.mark.concurrency
def test_ten_first_settings_at_once_keep_one_birthday(app):
    member_id = factories.member().id
    days, lock = [date(1990, 1, d) for d in range(1, 11)], threading.Lock()

    def work():
        with lock:
            day = days.pop()
        services.update_profile(member_id, "王五", day, actor=ACTOR)

    outcomes = run_threads(app, 10, work)
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("BirthdayLocked") == 9
    assert birthday_of(member_id) in {date(1990, 1, d) for d in range(1, 11)}
