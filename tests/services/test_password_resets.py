"""Password resets issued by staff and used by link or code, and members changing their
password: one-time, 30 minutes, voided by a newer reset, only hashes stored, audited."""

import hashlib
import json
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from memberportal.accounts import errors, passwords
from memberportal.accounts.rules import WeakPassword, hash_reset_code
from memberportal.core.clock import utcnow
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from tests import factories
from tests.password_helpers import (
    NEW_PASSWORD,
    audit_rows,
    issue,
    member_row,
    open_resets,
    resets_of,
    signs_in,
)

PHONE = "13900000001"


@pytest.fixture
def member():
    return factories.member(contact=PHONE)


def test_issuing_stores_only_hashes_and_audits_who_for_whom(app, member):
    cashier = factories.staff("cashier")
    now = utcnow()
    issued = issue(member.id, cashier, now)
    (row,) = resets_of(member.id)
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert row.code_hash == hash_reset_code(issued.code, member.id, app.config["SECRET_KEY"])
    assert issued.token not in row.token_hash and issued.code not in row.code_hash
    assert row.expires_at == now + timedelta(minutes=30) == issued.expires_at
    assert row.issued_by_id == cashier.id and row.used_at is None and row.voided_at is None
    (entry,) = audit_rows("password_reset.issued")
    assert (entry.actor_kind, entry.actor_id) == ("staff", cashier.id)
    assert (entry.subject_type, entry.subject_id) == ("member", member.id)
    assert entry.details["reset_id"] == row.id and entry.details["voided"] == 0
    stored = json.dumps(entry.details)
    assert issued.token not in stored and issued.code not in stored


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(member):
    issued = issue(member.id)
    assert member_row(member.id).session_version == 0
    done = passwords.reset_with_token(issued.token, NEW_PASSWORD, now=utcnow())
    assert done.id == member.id
    assert signs_in(PHONE, NEW_PASSWORD) and not signs_in(PHONE, factories.PASSWORD)
    assert member_row(member.id).session_version == 1
    (row,) = resets_of(member.id)
    assert row.used_at is not None
    with pytest.raises(errors.ResetUsed):
        passwords.reset_with_token(issued.token, "Another-Lantern-88", now=utcnow())
    assert signs_in(PHONE, NEW_PASSWORD) and member_row(member.id).session_version == 1
    (entry,) = audit_rows("password_reset.completed")
    assert (entry.actor_kind, entry.actor_id, entry.subject_id) == ("member", member.id, member.id)
    assert entry.details == {"reset_id": row.id, "via": "link"}


def test_valid_until_thirty_minutes_then_expired(member):
    t0 = utcnow() - timedelta(hours=1)
    first = issue(member.id, now=t0)
    with pytest.raises(errors.ResetExpired):
        passwords.reset_with_token(first.token, NEW_PASSWORD, now=t0 + timedelta(minutes=30))
    assert signs_in(PHONE, factories.PASSWORD) and resets_of(member.id)[0].used_at is None
    second = issue(member.id, now=t0)
    almost = t0 + timedelta(minutes=29, seconds=59)
    passwords.reset_with_token(second.token, NEW_PASSWORD, now=almost)
    assert signs_in(PHONE, NEW_PASSWORD)


def test_a_new_reset_voids_the_earlier_unused_one(member):
    first = issue(member.id)
    second = issue(member.id)
    assert [r.voided_at is not None for r in resets_of(member.id)] == [True, False]
    assert audit_rows("password_reset.issued")[1].details["voided"] == 1
    with pytest.raises(errors.ResetVoided):
        passwords.reset_with_token(first.token, NEW_PASSWORD, now=utcnow())
    with pytest.raises(errors.ResetVoided):
        passwords.reset_with_code(PHONE, first.code, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, factories.PASSWORD)
    passwords.reset_with_code(PHONE, second.code, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, NEW_PASSWORD)


def test_a_used_reset_is_not_voided_by_the_next_one(member):
    first = issue(member.id)
    passwords.reset_with_token(first.token, NEW_PASSWORD, now=utcnow())
    issue(member.id)
    used, fresh = resets_of(member.id)
    assert used.used_at is not None and used.voided_at is None
    assert fresh.used_at is None and fresh.voided_at is None


def test_the_code_works_as_typed_with_the_phone_or_email():
    by_phone = factories.member(contact=PHONE)
    by_email = factories.member(contact="lucy@example.com")
    code = issue(by_phone.id).code
    typed = f" {code[:4].lower()}-{code[4:]} "
    passwords.reset_with_code("139 0000 0001", typed, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, NEW_PASSWORD)
    code = issue(by_email.id).code
    passwords.reset_with_code("Lucy@Example.com", code, NEW_PASSWORD, now=utcnow())
    assert signs_in("lucy@example.com", NEW_PASSWORD)
    assert audit_rows("password_reset.completed")[-1].details["via"] == "code"


def test_a_wrong_code_or_account_is_one_answer_and_changes_nothing(member):
    other = factories.member(contact="13900000002")
    code = issue(member.id).code
    wrong = "".join("A" if c != "A" else "B" for c in code)
    attempts = [
        (PHONE, wrong),
        ("13900000002", code),  # another member's account: the code is bound to its member
        ("13900009999", code),  # no such account
        (PHONE, "not-a-code"),
    ]
    for contact, typed in attempts:
        with pytest.raises(errors.ResetCodeMismatch):
            passwords.reset_with_code(contact, typed, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, factories.PASSWORD) and signs_in("13900000002", factories.PASSWORD)
    assert len(open_resets(member.id)) == 1 and open_resets(other.id) == []
    assert audit_rows("password_reset.completed") == []


def test_an_unknown_token_is_refused(member):
    issue(member.id)
    with pytest.raises(errors.ResetUnknown):
        passwords.reset_with_token("made-up-token", NEW_PASSWORD, now=utcnow())
    assert len(open_resets(member.id)) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1A", "密码至少需要 8 个字符。"),
        ("password123", "密码太容易被猜到，请换一个。"),
        ("a13900000001z", "密码不能包含您的手机号或邮箱。"),
    ],
)
def test_a_weak_password_is_refused_and_the_reset_stays_usable(member, password, message):
    issued = issue(member.id)
    with pytest.raises(WeakPassword) as refused:
        passwords.reset_with_token(issued.token, password, now=utcnow())
    assert str(refused.value.message) == message
    with pytest.raises(WeakPassword):
        passwords.reset_with_code(PHONE, issued.code, password, now=utcnow())
    assert len(open_resets(member.id)) == 1 and member_row(member.id).session_version == 0
    passwords.reset_with_token(issued.token, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, NEW_PASSWORD)


def test_no_reset_for_an_unknown_or_closed_member(member):
    with pytest.raises(NotFound):
        issue(member.id + 1000)
    issued = issue(member.id)
    member_row(member.id).is_active_member = False
    db.session.commit()
    with pytest.raises(errors.MemberClosed):
        passwords.reset_with_token(issued.token, NEW_PASSWORD, now=utcnow())
    with pytest.raises(errors.MemberClosed):
        issue(member.id)
    assert len(resets_of(member.id)) == 1


def test_a_member_changes_their_password(member):
    open_reset = issue(member.id)
    passwords.change_password(
        member.id, factories.PASSWORD, NEW_PASSWORD, actor=member, now=utcnow()
    )
    assert signs_in(PHONE, NEW_PASSWORD) and not signs_in(PHONE, factories.PASSWORD)
    assert member_row(member.id).session_version == 1
    assert open_resets(member.id) == []  # the member knows the password: the reset is moot
    with pytest.raises(errors.ResetVoided):
        passwords.reset_with_token(open_reset.token, "Another-Lantern-88", now=utcnow())
    (entry,) = audit_rows("member.password_changed")
    assert (entry.actor_kind, entry.subject_id) == ("member", member.id)
    assert entry.details == {"voided_resets": 1}


def test_changing_needs_the_current_password_and_a_strong_new_one(member):
    with pytest.raises(errors.WrongPassword):
        passwords.change_password(
            member.id, "not-my-pass", NEW_PASSWORD, actor=member, now=utcnow()
        )
    with pytest.raises(WeakPassword):
        passwords.change_password(
            member.id, factories.PASSWORD, "12345678", actor=member, now=utcnow()
        )
    assert signs_in(PHONE, factories.PASSWORD) and member_row(member.id).session_version == 0
    assert audit_rows("member.password_changed") == []


def test_a_change_loses_to_a_password_changed_meanwhile(member, monkeypatch):
    """The compare-and-set on the stored hash: the hash read at the start is no longer there."""
    import werkzeug.security

    real = werkzeug.security.check_password_hash

    def check_then_someone_else_changes(stored, password):
        ok = real(stored, password)
        db.session.execute(
            db.text("UPDATE members SET password_hash = :h WHERE id = :id"),
            {"h": generate_password_hash("Elsewhere-Set-99"), "id": member.id},
        )
        return ok

    monkeypatch.setattr(passwords, "check_password_hash", check_then_someone_else_changes)
    with pytest.raises(errors.PasswordChangedMeanwhile):
        passwords.change_password(
            member.id, factories.PASSWORD, NEW_PASSWORD, actor=member, now=utcnow()
        )
    assert member_row(member.id).session_version == 0


def test_a_system_actor_may_issue_for_a_future_message_sender(member):
    from memberportal.core.actors import SystemActor

    issued = passwords.issue_reset(member.id, actor=SystemActor("message sender"), now=utcnow())
    (row,) = resets_of(member.id)
    assert row.issued_by_id is None
    assert audit_rows("password_reset.issued")[0].actor_label == "message sender"
    passwords.reset_with_code(PHONE, issued.code, NEW_PASSWORD, now=utcnow())
    assert signs_in(PHONE, NEW_PASSWORD)
