"""Baseline: the schema at version 8, the first under Alembic.

A store older than 8 is brought here by the hand-written steps in tui/store/migrations.py
(STEPS[1..7]) and then stamped with this revision; a new store is created whole by
``SQLModel.metadata.create_all`` and stamped with the head. Nothing to do here.

Revision ID: schema8
Revises:
"""

revision = "schema8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("督办台的数据库只升级，不降级：请从升级前的备份恢复")
