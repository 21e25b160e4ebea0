"""service map: points, weekly hours, exceptions (HSDS service + location + schedules)

Revision ID: 3b4b5dd2907e
Revises: 39b2590a1f6c
Create Date: 2026-11-29 18:04:45.913330

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b4b5dd2907e'
down_revision = '39b2590a1f6c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('price', sa.String(length=10), nullable=False),
    sa.Column('services', sa.String(length=500), nullable=False),
    sa.Column('directions', sa.String(length=300), nullable=True),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('accessible_toilet', sa.Boolean(), nullable=False),
    sa.Column('lift', sa.Boolean(), nullable=False),
    sa.Column('seats', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_note', sa.String(length=200), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['organization.id'], name=op.f('fk_service_point_operator_id_organization')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_service_point_place_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_point'))
    )
    with op.batch_alter_table('service_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_point_category'), ['category'], unique=False)
        batch_op.create_index('ix_service_point_latitude_longitude', ['latitude', 'longitude'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_place_id'), ['place_id'], unique=False)

    op.create_table('service_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Integer(), nullable=False),
    sa.Column('closes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['service_point.id'], name=op.f('fk_service_hours_point_id_service_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_hours'))
    )
    with op.batch_alter_table('service_hours', schema=None) as batch_op:
        batch_op.create_index('ix_service_hours_point_weekday', ['point_id', 'weekday'], unique=False)

    op.create_table('service_hours_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('opens', sa.Integer(), nullable=True),
    sa.Column('closes', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['point_id'], ['service_point.id'], name=op.f('fk_service_hours_exception_point_id_service_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_hours_exception'))
    )
    with op.batch_alter_table('service_hours_exception', schema=None) as batch_op:
        batch_op.create_index('ix_service_hours_exception_point_day', ['point_id', 'day'], unique=False)



def downgrade():
    with op.batch_alter_table('service_hours_exception', schema=None) as batch_op:
        batch_op.drop_index('ix_service_hours_exception_point_day')

    op.drop_table('service_hours_exception')
    with op.batch_alter_table('service_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_service_hours_point_weekday')

    op.drop_table('service_hours')
    with op.batch_alter_table('service_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_point_place_id'))
        batch_op.drop_index(batch_op.f('ix_service_point_operator_id'))
        batch_op.drop_index('ix_service_point_latitude_longitude')
        batch_op.drop_index(batch_op.f('ix_service_point_category'))

    op.drop_table('service_point')
