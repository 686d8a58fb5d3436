"""Text typed after a lock: when it was turned into an amendment or set aside

Revision ID: 0014_late_edits
Revises: 0013_agenda
Create Date: 2026-12-06 08:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_late_edits"
down_revision = "0013_agenda"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rejected_edit") as batch:
        batch.add_column(sa.Column("settled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("amendment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_rejected_edit_amendment_id_amendment"),
            "amendment",
            ["amendment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("rejected_edit") as batch:
        batch.drop_constraint(op.f("fk_rejected_edit_amendment_id_amendment"), type_="foreignkey")
        batch.drop_column("amendment_id")
        batch.drop_column("settled_at")
