"""The owner's dashboard: its use-cases (the Desk), the /dashboard login command and /stats."""
