"""Time: stored in UTC, shown and cut into days and months in the brand's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from memberportal.core import brand


def utcnow() -> datetime:
    return datetime.now(UTC)


def brand_tz() -> ZoneInfo:
    return ZoneInfo(brand.current()["time_zone"])


def local(dt: datetime) -> datetime:
    """A UTC datetime in the brand's time zone."""
    return dt.astimezone(brand_tz())


def local_date(dt: datetime) -> date:
    return local(dt).date()


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in the brand's time zone, as UTC ("expires on 31 March")."""
    start_next = datetime.combine(day + timedelta(days=1), time.min, tzinfo=brand_tz())
    return (start_next - timedelta(microseconds=1)).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=brand_tz()).astimezone(UTC)
