"""section.word_limit_hard: a word limit that refuses text beyond it

Revision ID: 0007_hard_word_limits
Revises: 0006_document_numbered
Create Date: 2026-12-06 05:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_hard_word_limits"
down_revision = "0006_document_numbered"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("section") as batch:
        batch.add_column(
            sa.Column("word_limit_hard", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("section") as batch:
        batch.drop_column("word_limit_hard")
