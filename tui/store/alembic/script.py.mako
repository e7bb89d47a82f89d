"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from tui.store.schema_upgrade import run_step

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The step's SQL lives in tui/store/migrations.py (STEPS); this file only orders it.
    run_step(int(down_revision.removeprefix("schema")))


def downgrade() -> None:
    raise NotImplementedError("督办台的数据库只升级，不降级：请从升级前的备份恢复")
