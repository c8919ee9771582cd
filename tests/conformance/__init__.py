"""One suite run on every engine: DuckDB, PostgreSQL and Spark."""
