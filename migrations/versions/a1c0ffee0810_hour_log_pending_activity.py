"""time bank: pending logs by activity, for the approval queue of those who organise activities

Revision ID: a1c0ffee0810
Revises: a1c0ffee0809
Create Date: 2026-12-01 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0810'
down_revision = 'a1c0ffee0809'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hour_log', schema=None) as batch_op:
        batch_op.create_index('ix_hour_log_pending_activity', ['activity_id'], unique=False,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('hour_log', schema=None) as batch_op:
        batch_op.drop_index('ix_hour_log_pending_activity',
                            sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
