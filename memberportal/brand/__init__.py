"""The brand: its name, time zone and currency display, and the owner's first-run setup."""
