"""The parent of every staff route: /merchant, guarded before any view runs."""
