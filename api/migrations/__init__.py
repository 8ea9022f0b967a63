"""Data migrations: where the database stands in `alembic-free-migrations/`, moving it, and the startup check.

The migrations are Beanie's (`beanie.migrations`), one file each; Beanie's runner applies them and keeps its log
(`migrations_log`) in the service's database. `python -m api migrate` runs them (README: "Migrations").
"""
