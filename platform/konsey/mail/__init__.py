"""Email: composed into outbox rows (``outbox``), then delivered (``delivery``)."""
