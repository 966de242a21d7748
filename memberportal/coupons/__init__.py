"""Coupons: templates set up by the merchant, coupons issued to members, written off at the till."""
