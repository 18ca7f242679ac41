"""outbox keeps private links sealed; links in messages already sent are removed

Revision ID: a20b1c2d3e03
Revises: a20b1c2d3e02
Create Date: 2026-11-30 14:50:00

Messages sent before this revision kept their private links in the body; the upgrade
replaces every such link in sent messages with "[link removed after sending]" (nothing
can bring them back, so the downgrade leaves them removed). Unsent messages keep theirs
and are sent as they are.
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a20b1c2d3e03'
down_revision = 'a20b1c2d3e02'
branch_labels = None
depends_on = None

outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                  sa.column('sent_at', sa.DateTime(timezone=True)))
PRIVATE_LINK = re.compile(r"\S*/registrations/[A-Za-z0-9_-]{32,}\S*")


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.body)
                        .where(outbox.c.sent_at.is_not(None))).all()
    for row_id, body in rows:
        redacted = PRIVATE_LINK.sub("[link removed after sending]", body or "")
        if redacted != body:
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(body=redacted))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('sealed')
