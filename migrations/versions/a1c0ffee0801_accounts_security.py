"""accounts security (session token, code tries)

Revision ID: a1c0ffee0801
Revises: 7ebbcc98c452
Create Date: 2026-12-01 02:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0ffee0801'
down_revision = '7ebbcc98c452'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs with constant defaults: SQLite adds them in place, without copying
    # the user table (which other tables' foreign keys point at).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_login_code_failures', sa.Integer(),
                                      server_default='0', nullable=False))
        batch_op.add_column(sa.Column('session_token', sa.String(length=43),
                                      server_default='', nullable=False))

    # Every existing account gets its own random token (an empty one matches no cookie, so
    # without this everyone would be signed out — which would also be safe).
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(user.update().where(user.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(16)))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later): batch mode would copy the user table and
    # drop the original, which the other tables' foreign keys do not allow.
    op.drop_column('user', 'session_token')
    op.drop_column('user', 'first_login_code_failures')
