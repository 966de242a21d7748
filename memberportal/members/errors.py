"""Member errors shared by the pages and the API."""

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError


class MemberCodeExpired(DomainError):
    code = "member_code_expired"
    status = 404
    default_message = _l("This card code has expired: ask the member to refresh the card.")
