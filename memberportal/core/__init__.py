"""What every business area uses: database types, errors, money, auth, htmx, clock."""
