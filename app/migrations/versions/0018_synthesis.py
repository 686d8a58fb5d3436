"""Synthesis documents, their lab sources, and the passages pulled from the labs

Revision ID: 0018_synthesis
Revises: 0017_labs
Create Date: 2026-12-06 11:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_synthesis"
down_revision = "0017_labs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "synthesis",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_synthesis_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_synthesis")),
    )
    op.create_table(
        "synthesis_source",
        sa.Column("synthesis_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_synthesis_source_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["synthesis_id"],
            ["synthesis.document_id"],
            name=op.f("fk_synthesis_source_synthesis_id_synthesis"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("synthesis_id", "document_id", name=op.f("pk_synthesis_source")),
    )
    op.create_table(
        "pulled_passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("source_document_id", sa.Integer(), nullable=True),
        sa.Column("source_section_id", sa.Integer(), nullable=True),
        sa.Column("source_document_title", sa.String(length=300), nullable=False),
        sa.Column("source_section_title", sa.String(length=300), nullable=False),
        sa.Column("source_quote", sa.Text(), nullable=False),
        sa.Column("source_prefix", sa.String(length=200), nullable=False),
        sa.Column("source_suffix", sa.String(length=200), nullable=False),
        sa.Column("source_start", sa.Integer(), nullable=False),
        sa.Column("source_then", sa.Text(), nullable=False),
        sa.Column("source_seq", sa.Integer(), nullable=False),
        sa.Column("source_version_name", sa.String(length=200), nullable=True),
        sa.Column("pulled_by_id", sa.Integer(), nullable=True),
        sa.Column("pulled_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("anchor_quote", sa.Text(), nullable=True),
        sa.Column("anchor_prefix", sa.String(length=200), nullable=True),
        sa.Column("anchor_suffix", sa.String(length=200), nullable=True),
        sa.Column("anchor_start", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pulled_by_id"],
            ["person.id"],
            name=op.f("fk_pulled_passage_pulled_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["section.id"],
            name=op.f("fk_pulled_passage_section_id_section"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["document.id"],
            name=op.f("fk_pulled_passage_source_document_id_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_section_id"],
            ["section.id"],
            name=op.f("fk_pulled_passage_source_section_id_section"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulled_passage")),
    )
    with op.batch_alter_table("pulled_passage") as batch:
        for column in ("section_id", "source_document_id", "source_section_id"):
            batch.create_index(batch.f(f"ix_pulled_passage_{column}"), [column], unique=False)


def downgrade():
    op.drop_table("pulled_passage")
    op.drop_table("synthesis_source")
    op.drop_table("synthesis")
