"""Missing-points claims: a member claims a purchase that earned nothing; staff decide."""
