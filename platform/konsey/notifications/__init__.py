"""What to tell whom: reminders and digests composed from the domain and
written to the outbox (no SMTP here; the workers deliver)."""
