"""E-mail through a real SMTP server: zh and en by the member's language, an unsubscribe
link per category; a refused connection is retried with backoff."""

from datetime import timedelta

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.notifications import dispatch, queue, services
from memberportal.notifications.queries import choices_for_member
from memberportal.tiers import services as tiers
from tests import factories
from tests.conftest import csrf_from
from tests.notifications.conftest import free_port
from tests.notifications.helpers import deliveries

ACTOR = SystemActor(audit_label="test")


def _tier_up(member_id: int) -> None:
    tiers.add_growth(member_id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=utcnow())  # fmt: skip


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_zh_and_en_mails_with_an_unsubscribe_link(mail_app, smtp, client):
    zh = factories.member("zh@example.com", name="李雷")
    en = factories.member("en@example.com", name="Lucy")
    services.save_choices(en.id, {}, "en")
    _tier_up(zh.id)
    _tier_up(en.id)
    outgoing = dispatch.dispatch_all(utcnow()).outgoing
    assert [queue.deliver(d) for d in outgoing] == ["delivered", "delivered"]
    assert [queue.deliver(d) for d in outgoing] == ["skipped", "skipped"]  # never twice
    by_to = {m["To"]: m for m in smtp.messages}
    assert len(smtp.messages) == 2
    assert by_to["zh@example.com"]["Subject"] == "欢迎升级为 VIP2 银卡会员"
    assert "李雷，您好" in _text(by_to["zh@example.com"])
    assert by_to["en@example.com"]["Subject"] == "Welcome to VIP2 Silver"
    assert "Hello Lucy," in _text(by_to["en@example.com"])
    assert [d.status for d in deliveries("email")] == ["delivered", "delivered"]

    link = by_to["en@example.com"]["List-Unsubscribe"].strip(" <>")
    assert link in _text(by_to["en@example.com"])
    path = link.removeprefix("http://127.0.0.1:5000")
    page = client.get(path).get_data(as_text=True)
    assert choices_for_member(en.id)[("tier", "email")]  # a GET changes nothing
    client.post(path, data={"csrf_token": csrf_from(page)})
    chosen = choices_for_member(en.id)
    assert not chosen[("tier", "email")] and chosen[("points", "email")]
    assert client.get(path[:-3] + "xyz").status_code == 404


def test_refused_smtp_is_retried_with_backoff(make_app):
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context():
        m = factories.member("li@example.com")
        _tier_up(m.id)
        [delivery_id] = dispatch.dispatch_all(utcnow()).outgoing
        before = utcnow()
        assert queue.deliver(delivery_id) == "retry"
        [row] = deliveries("email")
        assert (row.status, row.attempts) == ("pending", 1)
        assert "ConnectionRefused" in row.last_error
        wait = timedelta(seconds=30)
        assert before + wait <= row.next_attempt_at <= utcnow() + wait
        assert queue.deliver(delivery_id) == "skipped"  # not due yet
