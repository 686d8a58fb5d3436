"""Section.body_seq: which update of the live log a section's stored text includes

Revision ID: 0003_body_seq
Revises: 0002_deliberation
Create Date: 2026-12-02 06:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_body_seq"
down_revision = "0002_deliberation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_seq", sa.Integer(), server_default="0", nullable=False))
    # Until now every committed update rewrote the text in the same transaction.
    op.execute(
        "UPDATE section SET body_seq = COALESCE("
        "(SELECT MAX(seq) FROM section_update WHERE section_update.section_id = section.id), 0)"
    )


def downgrade():
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.drop_column("body_seq")
