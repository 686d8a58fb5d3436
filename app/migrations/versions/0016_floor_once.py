"""One request for the floor waiting or speaking per person, kept by the database

Revision ID: 0016_floor_once
Revises: 0015_commitment_vote
Create Date: 2026-12-06 11:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_floor_once"
down_revision = "0015_commitment_vote"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('waiting', 'speaking')")


def upgrade():
    op.create_index(
        "uq_floor_request_active",
        "floor_request",
        ["membership_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade():
    op.drop_index("uq_floor_request_active", table_name="floor_request")
