"""notifications: messages (我的消息) and their SMS deliveries

Revision ID: a1c0ffee0805
Revises: a1c0ffee0804
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0805'
down_revision = 'a1c0ffee0804'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_message_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('key', name=op.f('uq_message_key'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_message_user_subject', ['user_id', 'subject_type', 'subject_id'], unique=False)

    op.create_table('sms_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_sms_delivery_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_delivery')),
    sa.UniqueConstraint('message_id', name=op.f('uq_sms_delivery_message_id'))
    )
    with op.batch_alter_table('sms_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_delivery_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sms_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_delivery_next_attempt_at'))

    op.drop_table('sms_delivery')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_user_subject')
        batch_op.drop_index(batch_op.f('ix_message_user_id'))

    op.drop_table('message')
