"""A member's data rights (PIPL): download everything held about them, close the account."""
