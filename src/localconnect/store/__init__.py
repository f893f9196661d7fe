"""Schema, migrations and transactions for the SQLite, memory and PostgreSQL stores."""
