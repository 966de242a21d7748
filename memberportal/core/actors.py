"""Who did it: every service that writes takes a keyword-only `actor` for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    actor_kind: str  # "staff", "member", "system", "api", "stripe"
    actor_id: int | None
    audit_label: str


@dataclass(frozen=True)
class SystemActor:
    audit_label: str = "system"
    actor_kind: str = "system"
    actor_id: int | None = None


SYSTEM = SystemActor()
