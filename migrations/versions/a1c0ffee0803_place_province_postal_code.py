"""places: province and postal code, for addresses in open data

Revision ID: a1c0ffee0803
Revises: a1c0ffee0802
Create Date: 2026-12-01 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0803'
down_revision = 'a1c0ffee0802'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=6), nullable=True))


def downgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_column('postal_code')
        batch_op.drop_column('province')
