"""Workshops: their own time zone, and archiving

Revision ID: 0009_workshop_zone_archive
Revises: 0008_organisers
Create Date: 2026-12-06 07:30:00

"""

import os

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_workshop_zone_archive"
down_revision = "0008_organisers"
branch_labels = None
depends_on = None


def upgrade():
    # Existing workshops were dated in the instance's zone: they keep it.
    zone = os.environ.get("TZ_NAME", "Europe/Rome")
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default=zone)
        )
        batch.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("workshop") as batch:
        batch.alter_column("time_zone", server_default=None)


def downgrade():
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("time_zone")
