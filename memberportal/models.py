"""Imports every area's models so the metadata holds the whole schema."""

from memberportal.accounts.models import StaffUser  # noqa: F401
from memberportal.audit.models import AuditEntry  # noqa: F401
from memberportal.members.models import Member  # noqa: F401
from memberportal.memberships.models import (  # noqa: F401
    BillingRecord,
    ChargeRefund,
    Checkout,
    DemoStripeObject,
    Dispute,
    Membership,
    PaymentFact,
    Plan,
    StripeEvent,
)
from memberportal.tiers.models import Tier  # noqa: F401
