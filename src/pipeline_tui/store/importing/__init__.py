"""Writing planned cards: matching them against the database, merging, bulk inserts."""
