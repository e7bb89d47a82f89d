"""Circulars (通报): their register and 期 counter (migrations._v8_to_v9).

Revision ID: schema9
Revises: schema8
"""

from tui.store.schema_upgrade import run_step

revision = "schema9"
down_revision = "schema8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The step's SQL lives in tui/store/migrations.py (STEPS); this file only orders it.
    run_step(int(down_revision.removeprefix("schema")))


def downgrade() -> None:
    raise NotImplementedError("督办台的数据库只升级，不降级：请从升级前的备份恢复")
