"""Members review their purchases and earn interaction growth for it, once per purchase; the
refund that leaves the purchase fully refunded takes that growth back (purchases.services calls
reviews.services.return_growth; reviews reads only purchases' models and errors)."""
