"""Saving the brand's settings and finishing the first-run setup."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, exists, or_, select, update

from memberportal.audit import services as audit
from memberportal.brand.models import BrandSettings
from memberportal.core import brand
from memberportal.core.db import use_case
from memberportal.core.errors import DomainError, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.tiers.queries import program_open


class BrandRuleBroken(ValidationFailed):
    code = "brand_rule_broken"

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field


ZONE_LOCKED = _l(
    "Members have joined: the time zone can no longer change (their days and expiries "
    "depend on it)."
)


class SetupIncomplete(DomainError):
    code = "setup_incomplete"
    default_message = _l("Add the entry tier first: members cannot join without it.")


def load_saved() -> dict | None:
    """The saved settings as a dict; None before the owner saved any or before the schema
    exists. Read in the session's own connection (a second one per request would exhaust the
    pool under load), inside a savepoint so a missing table never spoils the caller's
    transaction; the cache in core.brand makes this a read every BRAND_CACHE_SECONDS."""
    table = BrandSettings.__table__
    try:
        with db.session.begin_nested():
            row = db.session.execute(
                select(table.c.name, table.c.time_zone, table.c.currency_display)
            ).first()
    except exc.DBAPIError:
        return None
    return dict(row._mapping) if row else None


def settings() -> BrandSettings | None:
    return db.session.get(BrandSettings, 1)


def setup_done() -> bool:
    saved = settings()
    return bool(saved and saved.setup_done_at) and program_open()


def time_zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@use_case
def save_brand(name: str, time_zone: str, currency_display: str, *, actor) -> BrandSettings:
    """The brand's name, time zone and currency display. The time zone cuts every member's
    days (expiry, birthday month, member day), so it can change only before the first member
    joins. Raises BrandRuleBroken."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise BrandRuleBroken("name", _l("Enter the brand's name (at most 64 characters)."))
    try:
        ZoneInfo(time_zone or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise BrandRuleBroken("time_zone", _l("Choose a time zone from the list.")) from None
    if currency_display not in brand.CURRENCY_DISPLAYS:
        raise BrandRuleBroken("currency_display", _l("Choose how amounts are shown."))
    row = db.session.get(BrandSettings, 1, with_for_update=True)
    before = {"name": row.name, "time_zone": row.time_zone,
              "currency_display": row.currency_display} if row else {}  # fmt: skip
    if row is None:
        current_zone = brand.current()["time_zone"]
        if time_zone != current_zone and db.session.scalar(select(Member.id).limit(1)):
            raise BrandRuleBroken("time_zone", ZONE_LOCKED)
        row = BrandSettings(id=1, name=name, time_zone=time_zone, currency_display=currency_display)
        db.session.add(row)
    else:
        # The zone may change only while no member exists: the UPDATE itself says so (not the
        # row lock, which SQLite drops), so a member who joined meanwhile keeps the zone.
        settings_table = BrandSettings.__table__
        no_member = ~exists().where(Member.id.is_not(None))
        saved = db.session.execute(
            update(settings_table)
            .where(
                settings_table.c.id == 1,
                or_(settings_table.c.time_zone == time_zone, no_member),
            )
            .values(name=name, time_zone=time_zone, currency_display=currency_display)
        ).rowcount
        if not saved:
            raise BrandRuleBroken("time_zone", ZONE_LOCKED)
        db.session.expire(row)
    db.session.flush()
    after = {"name": name, "time_zone": time_zone, "currency_display": currency_display}
    audit.record(
        "brand.settings_saved", actor=actor, subject_type="brand", subject_id=1,
        before=before, after=after,
    )  # fmt: skip
    return row


@use_case
def finish_setup(*, actor, now: datetime) -> BrandSettings:
    """Mark the first-run setup done (needs the brand saved and an entry tier)."""
    row = db.session.get(BrandSettings, 1, with_for_update=True)
    if row is None:
        raise BrandRuleBroken("name", _l("Save the brand's name and time zone first."))
    if not program_open():
        raise SetupIncomplete()
    settings_table = BrandSettings.__table__
    finished = db.session.execute(
        update(settings_table)
        .where(settings_table.c.id == 1, settings_table.c.setup_done_at.is_(None))
        .values(setup_done_at=now)
    ).rowcount  # once: of two finishes at once, one records it (also on SQLite)
    if finished:
        audit.record("brand.setup_finished", actor=actor, subject_type="brand", subject_id=1)
        db.session.expire(row)
    return row
