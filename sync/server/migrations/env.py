from __future__ import annotations

from alembic import context

from sync.server.models import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    connection.info["write"] = True
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
