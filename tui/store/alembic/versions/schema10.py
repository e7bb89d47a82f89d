"""A city over its counties: registers and audit rows carry their origin (migrations._v9_to_v10).

Revision ID: schema10
Revises: schema9
"""

from tui.store.schema_upgrade import run_step

revision = "schema10"
down_revision = "schema9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The step's SQL lives in tui/store/migrations.py (STEPS); this file only orders it.
    run_step(int(down_revision.removeprefix("schema")))


def downgrade() -> None:
    raise NotImplementedError("督办台的数据库只升级，不降级：请从升级前的备份恢复")
