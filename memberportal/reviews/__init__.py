"""Members review their purchases and earn interaction growth for it, once per purchase."""
