"""time bank guards (neighbour approvals reviewed)

Revision ID: a1c0ffee0802
Revises: a1c0ffee0801
Create Date: 2026-12-01 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0802'
down_revision = 'a1c0ffee0801'
branch_labels = None
depends_on = None


def upgrade():
    # A worker's review of help a neighbour approved alone (issue 8, hole 3).
    with op.batch_alter_table('hour_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_hour_log_reviewed_by_id_user'), 'user',
                                    ['reviewed_by_id'], ['id'])
    # The resident accepts the volunteer who offered before contact details show (hole 7).
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
    with op.batch_alter_table('hour_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hour_log_reviewed_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
