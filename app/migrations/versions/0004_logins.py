"""Logins kept on the server, each reaching only the memberships entered through it

Revision ID: 0004_logins
Revises: 0003_body_seq
Create Date: 2026-12-06 01:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_logins"
down_revision = "0003_body_seq"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_login_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_key_hash")),
    )
    op.create_table(
        "login_membership",
        sa.Column("login_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["login_id"], ["login.id"], name=op.f("fk_login_membership_login_id_login"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["membership.id"],
            name=op.f("fk_login_membership_membership_id_membership"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("login_id", "membership_id", name=op.f("pk_login_membership")),
    )
    op.create_index(
        op.f("ix_login_membership_membership_id"), "login_membership", ["membership_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_login_membership_membership_id"), table_name="login_membership")
    op.drop_table("login_membership")
    op.drop_table("login")
