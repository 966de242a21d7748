"""Demo purchases and points for the demo members, made through the services."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from memberportal.accounts.rules import canonical_phone
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.purchases import services
from memberportal.purchases.models import Purchase

DEMO_ACTOR = SystemActor(audit_label="demo data")
# contact, [(days ago, amount in cents, order reference)], points spent on the mall
HISTORY = [
    ("13800000001", [(300, 8900, "DEMO-1001"), (120, 26800, "DEMO-1002"),
                     (40, 15900, "DEMO-1003"), (5, 49900, "DEMO-1004")], 120),
    ("13800000002", [(200, 12900, "DEMO-2001"), (20, 3900, "DEMO-2002")], 0),
    ("lucy@example.com", [(10, 79900, "DEMO-3001")], 50),
    # The crowd (memberportal/demo.py CROWD): a first order soon after joining, some return.
    *[(f"137000000{i:02d}",
       [(360 - 28 * i - 2 - 30 * k, 3900 + 4700 * ((i * 7 + k * 3) % 9), f"DEMO-C{i:02d}{k}")
        for k in range(1 + i % 4) if 360 - 28 * i - 2 - 30 * k > 0],
       0) for i in range(1, 13)],
]  # fmt: skip


def load() -> int:
    """Give each demo member a few purchases (and a spend); return rows added (0 if present)."""
    if db.session.scalar(select(Purchase.id).where(Purchase.source == "demo").limit(1)):
        return 0
    added, now = 0, utcnow()
    for contact, purchases, spent in HISTORY:
        member = db.session.scalar(
            select(Member).where(
                (Member.phone == canonical_phone(contact)) | (Member.email == contact)
            )
        )
        if member is None:
            continue
        for days_ago, cents, ref in purchases:
            services.record_purchase(
                member.id, cents, ref, source="demo", actor=DEMO_ACTOR,
                now=now - timedelta(days=days_ago), store="Demo store",
            )  # fmt: skip
            added += 1
        if spent:
            ledger.spend(
                member.id, spent, kind="redemption", source_type="demo", source_id=None,
                actor=DEMO_ACTOR, now=now - timedelta(days=1),
            )  # fmt: skip
            added += 1
    return added
