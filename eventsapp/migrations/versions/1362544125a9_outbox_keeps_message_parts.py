"""outbox keeps message parts: the sender builds the MIME bytes, not the request

Revision ID: 1362544125a9
Revises: 5df668e066f8
Create Date: 2026-11-27 23:39:22.345147

Messages already queued are taken apart with the email parser, so none is lost;
the downgrade builds them again. Self-contained on purpose: a migration must not
change when the app's code does.
"""
import base64
import email
import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1362544125a9'
down_revision = '5df668e066f8'
branch_labels = None
depends_on = None

outbox = sa.table(
    'outbox_message', sa.column('id', sa.Integer), sa.column('raw', sa.LargeBinary),
    sa.column('to_addr', sa.String), sa.column('to_name', sa.String),
    sa.column('subject', sa.String), sa.column('body', sa.Text),
    sa.column('attachments', sa.JSON), sa.column('message_id', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)))


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
    conn = op.get_bind()
    for row_id, raw in conn.execute(sa.select(outbox.c.id, outbox.c.raw)).all():
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        to = msg['To'].addresses[0] if msg['To'] and msg['To'].addresses else None
        body = msg.get_body(('plain',))
        conn.execute(outbox.update().where(outbox.c.id == row_id).values(
            to_name=to.display_name if to else '',
            body=body.get_content() if body is not None else '',
            attachments=[{'filename': a.get_filename() or 'attachment',
                          'type': a.get_content_type(),
                          'content': base64.b64encode(a.get_payload(decode=True)).decode()}
                         for a in msg.iter_attachments()],
            message_id=msg['Message-ID'] or f'<outbox-{row_id}@localhost>'))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('to_name', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('attachments', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('message_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('raw')


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw', sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(
        outbox.c.id, outbox.c.to_addr, outbox.c.to_name, outbox.c.subject, outbox.c.body,
        outbox.c.attachments, outbox.c.message_id, outbox.c.created_at)).all()
    for row in rows:
        local, _, domain = row.to_addr.rpartition('@')
        msg = EmailMessage()
        msg['From'] = 'eventsapp <no-reply@localhost>'
        msg['To'] = Address(display_name=row.to_name, username=local, domain=domain)
        msg['Subject'] = row.subject
        msg['Date'] = format_datetime(row.created_at)
        msg['Message-ID'] = row.message_id
        msg.set_content(row.body)
        for a in row.attachments or []:
            maintype, _, subtype = a['type'].partition('/')
            msg.add_attachment(base64.b64decode(a['content']), maintype=maintype,
                               subtype=subtype, filename=a['filename'])
        conn.execute(outbox.update().where(outbox.c.id == row.id).values(
            raw=msg.as_bytes(policy=email.policy.SMTP)))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('message_id')
        batch_op.drop_column('attachments')
        batch_op.drop_column('body')
        batch_op.drop_column('to_name')
