"""Imports every area's models so the metadata holds the whole schema."""

from memberportal.accounts.models import PasswordReset, StaffUser  # noqa: F401
from memberportal.api.models import ApiClient, ApiUsage, IdempotencyRecord  # noqa: F401
from memberportal.audit.models import AuditEntry  # noqa: F401
from memberportal.brand.models import BrandSettings  # noqa: F401
from memberportal.bulk.models import BulkRow, BulkUpload  # noqa: F401
from memberportal.claims.models import Claim  # noqa: F401
from memberportal.coupons.models import Coupon, CouponTemplate  # noqa: F401
from memberportal.mall.models import (  # noqa: F401
    Category,
    Item,
    MemberItemCount,
    Order,
    VirtualCode,
)
from memberportal.members.models import Member  # noqa: F401
from memberportal.memberships.models import (  # noqa: F401
    BillingRecord,
    ChargeRefund,
    Checkout,
    Dispute,
    Membership,
    Plan,
)
from memberportal.notifications.models import (  # noqa: F401
    ChannelChoice,
    Delivery,
    MessageLanguage,
    Notification,
    NotificationEvent,
    ScheduleRun,
    WebhookAttempt,
    WebhookEndpoint,
)
from memberportal.payments.models import DemoStripeObject, PaymentFact, StripeEvent  # noqa: F401
from memberportal.points.models import Allocation, LedgerEntry, ProgramRules  # noqa: F401
from memberportal.purchases.models import Purchase, Refund  # noqa: F401
from memberportal.referrals.models import Referral, ReferralQuota  # noqa: F401
from memberportal.reviews.models import Review  # noqa: F401
from memberportal.risk.models import RiskFlag, RiskRules, RiskScan  # noqa: F401
from memberportal.tiers.models import (  # noqa: F401
    GrowthEntry,
    ProfileCompletion,
    SignIn,
    Tier,
    TierChange,
)
from memberportal.wallet.models import (  # noqa: F401
    BalanceTier,
    Spend,
    SpendRefund,
    TopUp,
    TopUpPlan,
    Wallet,
    WalletEntry,
    WalletSettings,
)
