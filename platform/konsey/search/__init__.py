"""Search across everything a user may read: documents, minutes, decisions,
agenda items and action items, in one index kept current in the transaction
of each change (``index``), queried in one SQL statement whose access rule is
policy's (``query``), on PostgreSQL full-text search or SQLite FTS5
(``engines``)."""
