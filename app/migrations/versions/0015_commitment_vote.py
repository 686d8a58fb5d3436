"""The vote a commitment was put to, if the table voted on it

Revision ID: 0015_commitment_vote
Revises: 0014_late_edits
Create Date: 2026-12-06 11:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_commitment_vote"
down_revision = "0014_late_edits"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("commitment") as batch:
        batch.add_column(sa.Column("vote_round_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_commitment_vote_round_id_vote_round"),
            "vote_round",
            ["vote_round_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("commitment") as batch:
        batch.drop_constraint(op.f("fk_commitment_vote_round_id_vote_round"), type_="foreignkey")
        batch.drop_column("vote_round_id")
