"""Stored value (储值): prepaid balances with top-up bonuses."""
