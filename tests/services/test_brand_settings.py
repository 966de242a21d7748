"""The brand's saved settings: validated, audited, the time zone locked once members joined,
and every page's dates, amounts and header follow them."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.brand import services
from memberportal.core import brand
from memberportal.core.actors import SYSTEM
from memberportal.core.clock import local_date
from memberportal.core.money import format_cents
from memberportal.extensions import db
from tests import factories


def test_saved_settings_replace_the_environment_defaults(data_app):
    assert brand.current()["time_zone"] == "Asia/Shanghai"
    services.save_brand("晨光面包", "Europe/London", "name", actor=SYSTEM)
    brand.forget()
    assert brand.current() == {
        "name": "晨光面包", "time_zone": "Europe/London", "currency_display": "name"
    }  # fmt: skip
    # 23:30 UTC on 31 January is still that day in London; in Shanghai it is 1 February.
    assert str(local_date(datetime(2026, 1, 31, 23, 30, tzinfo=UTC))) == "2026-01-31"
    with data_app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_cents(1250) == "12.50 Chinese yuan"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "brand.settings_saved")
    ).one()
    assert entry.details["after"]["time_zone"] == "Europe/London"


@pytest.mark.parametrize(
    "name, zone, display, field",
    [("", "Asia/Shanghai", "symbol", "name"), ("A", "Mars/Base", "symbol", "time_zone"),
     ("A", "Asia/Shanghai", "emoji", "currency_display")],
)  # fmt: skip
def test_bad_settings_are_refused_and_nothing_is_saved(name, zone, display, field):
    with pytest.raises(services.BrandRuleBroken) as error:
        services.save_brand(name, zone, display, actor=SYSTEM)
    assert error.value.field == field
    assert services.settings() is None


def test_the_time_zone_is_locked_once_a_member_joined():
    services.save_brand("A", "Asia/Shanghai", "symbol", actor=SYSTEM)
    factories.member()
    with pytest.raises(services.BrandRuleBroken) as error:
        services.save_brand("A", "Europe/London", "symbol", actor=SYSTEM)
    assert error.value.field == "time_zone"
    services.save_brand("B", "Asia/Shanghai", "name", actor=SYSTEM)  # the rest still changes
    db.session.expire_all()
    assert (services.settings().name, services.settings().time_zone) == ("B", "Asia/Shanghai")


def test_setup_finishes_only_with_the_brand_and_an_entry_tier():
    from memberportal.core.clock import utcnow

    with pytest.raises(services.BrandRuleBroken):
        services.finish_setup(actor=SYSTEM, now=utcnow())
    services.save_brand("A", "Asia/Shanghai", "symbol", actor=SYSTEM)
    services.finish_setup(actor=SYSTEM, now=utcnow())
    assert services.setup_done()
    first = services.settings().setup_done_at
    services.finish_setup(actor=SYSTEM, now=utcnow())  # again: a conditional UPDATE, once
    db.session.expire_all()
    assert services.settings().setup_done_at == first
    finished = select(AuditEntry).where(AuditEntry.action == "brand.setup_finished")
    assert len(db.session.scalars(finished).all()) == 1
