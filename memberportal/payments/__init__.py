"""Payments: the Stripe gateway (live or demo), the webhook, and the store and dispatch of
its events. Areas that act on payments register handlers here (see events.py)."""
