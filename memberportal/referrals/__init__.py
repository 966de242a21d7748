"""Members invite friends: a referral is recorded once per new member and earns the referrer."""
