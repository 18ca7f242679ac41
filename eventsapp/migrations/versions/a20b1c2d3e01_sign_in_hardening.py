"""sign-in hardening: a first password to change, API tokens with scopes and an expiry

Revision ID: a20b1c2d3e01
Revises: b4e9c2d17a05
Create Date: 2026-11-30 14:30:00

Tokens made before this revision keep working with the scopes every token had
(read, agenda, registrations) until 90 days after the upgrade.
"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a20b1c2d3e01'
down_revision = 'b4e9c2d17a05'
branch_labels = None
depends_on = None

api_token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=100), nullable=False,
                                      server_default='read agenda registrations'))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=90)
    if op.get_bind().dialect.name == 'sqlite':
        expires = expires.replace(tzinfo=None)  # the app stores naive UTC on SQLite
    op.execute(api_token.update().values(expires_at=expires))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scopes')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
