"""places: updated_at, so reports over many places (15-minute coverage) are kept until one changes

Revision ID: a1c0ffee0809
Revises: a1c0ffee0808
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0809'
down_revision = 'a1c0ffee0808'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_place_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_updated_at'))
        batch_op.drop_column('updated_at')
