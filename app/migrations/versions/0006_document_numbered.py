"""document.numbered: whether Tavolo numbers the sections (off when an imported
file's titles keep their own numbers)

Revision ID: 0006_document_numbered
Revises: 0005_crdt_clients
Create Date: 2026-12-06 05:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006_document_numbered"
down_revision = "0005_crdt_clients"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("numbered", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("numbered")
