"""Alembic's entry point for the ledger, from `Ledger(url)` and from the alembic command line.

Kept free of SQLAlchemy imports (see tests/test_layers.py): the work is in
records/ledger/migrate.py, and the tables are the ones in records/ledger/schema.py.
"""

from logging.config import fileConfig

from alembic import context

from records.ledger.migrate import run_migrations
from records.ledger.schema import metadata

if context.config.config_file_name and "connection" not in context.config.attributes:
    fileConfig(context.config.config_file_name)  # the command line's logging, from alembic.ini
run_migrations(context, metadata)
