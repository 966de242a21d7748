"""Points errors: what the ledger refuses."""

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
