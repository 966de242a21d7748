"""Points errors: what the ledger refuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound


class InsufficientPoints(DomainError):
    code = "insufficient_points"
    default_message = _l("Not enough points.")


class LotConflict(DomainError):
    """A lot changed under a draw; the whole operation rolls back and may be retried."""

    code = "lot_conflict"
    status = 409
    default_message = _l("The points changed meanwhile. Please try again.")


class NotASpend(NotFound):
    code = "not_a_spend"
    default_message = _l("There is no such points spend.")


class UnknownMember(NotFound):
    code = "unknown_member"
    default_message = _l("There is no such member.")


class AccountFrozen(DomainError):
    """The member's account is held for review: no points may be spent until it is released."""

    code = "account_frozen"
    default_message = _l("Your account is under review; please contact the store.")
    staff_message = _l("This member's account is frozen for review: points cannot be spent.")

    @classmethod
    def for_actor(cls, actor) -> AccountFrozen:
        """The member reads the store's words; staff read what the hold means."""
        member = getattr(actor, "actor_kind", None) == "member"
        return cls(None if member else cls.staff_message)
