"""registration search key: names folded for case- and accent-free search; outbox names as
long as registrants' full names (401 characters: 300 refused "200 + space + 200" on PostgreSQL)

Revision ID: b4e1d2c3a5f6
Revises: 80839443d312
Create Date: 2026-11-30 14:30:00

Existing rows get their key here. The folding is copied from eventsapp/textnorm.py as it
was when this revision was written: a migration must not change when the app's code does.
No table rebuild (the counter triggers on registration stay as they are).
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4e1d2c3a5f6'
down_revision = '80839443d312'
branch_labels = None
depends_on = None

registration = sa.table(
    'registration', sa.column('id', sa.Integer), sa.column('given_name', sa.String),
    sa.column('family_name', sa.String), sa.column('badge_name', sa.String),
    sa.column('native_name', sa.String), sa.column('search_key', sa.String))

_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_DIACRITICS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
               (0xFE20, 0xFE2F))
_BASE_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i",
                               "ŧ": "t", "ƀ": "b", "ɨ": "i", "ʉ": "u"})
KEY_MAX = 600


def _in(ranges, ch):
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in ranges)


def _fold(text):
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = "".join(ch for ch in text if not _in(_DIACRITICS, ch) and not _in(_IGNORABLE, ch)
                   and unicodedata.category(ch) != "Cc")
    return unicodedata.normalize("NFC", kept.translate(_BASE_LETTERS))


def _key(*parts):
    return " ".join(" ".join(_fold(p).split()) for p in parts if p and p.strip())[:KEY_MAX]


def upgrade():
    op.add_column('registration', sa.Column('search_key', sa.String(length=600),
                                            server_default='', nullable=False))
    bind = op.get_bind()
    rows = bind.execute(sa.select(registration.c.id, registration.c.given_name,
                                  registration.c.family_name, registration.c.badge_name,
                                  registration.c.native_name)).all()
    keys = [{'rid': r.id, 'key': _key(r.given_name, r.family_name, r.badge_name,
                                      r.native_name)} for r in rows]
    if keys:
        bind.execute(registration.update().where(registration.c.id == sa.bindparam('rid'))
                     .values(search_key=sa.bindparam('key')), keys)
    op.create_index('ix_registration_event_search', 'registration',
                    ['event_id', 'search_key'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('to_name', existing_type=sa.String(length=300),
                              type_=sa.String(length=401), existing_nullable=False)


def downgrade():
    # A name longer than the old column is cut, as the column would hold it.
    op.execute(sa.text("UPDATE outbox_message SET to_name = substr(to_name, 1, 300)"
                       " WHERE length(to_name) > 300"))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('to_name', existing_type=sa.String(length=401),
                              type_=sa.String(length=300), existing_nullable=False)
    op.drop_index('ix_registration_event_search', table_name='registration')
    # SQLite 3.35+ drops a column in place: no rebuild, so the counter triggers stay.
    op.drop_column('registration', 'search_key')
