"""Text as people type it, made comparable: one place for Unicode rules.

- `normalize_text`: NFC (so "José" typed on a Mac, in NFD, is the same text as "José"
  typed elsewhere), CR LF and CR made LF (browsers send text areas with CR LF), stripped
  of spaces and of invisible characters at either end.
- `is_invisible_only`: text that would print as nothing (U+200B ZERO WIDTH SPACE,
  U+2060 WORD JOINER, U+FEFF, U+3164 HANGUL FILLER, ...), for refusing such names.
- `search_fold`: the key a search compares, the same on SQLite and PostgreSQL (their
  `lower()` differ: SQLite folds ASCII only).
- `email_key`: the one form in which addresses are compared (uniqueness, rate limits,
  look-ups).

Pure functions of their arguments; no database, no request.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1): drawn as
# nothing by every renderer. The Hangul fillers are letters (Lo) but print as nothing too.
_DEFAULT_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Blank although not "ignorable": the Braille blank is a favourite of fake names.
_BLANK_EXTRA = frozenset({0x2800})


def is_default_ignorable(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _DEFAULT_IGNORABLE_RANGES)


def is_blank_char(ch: str) -> bool:
    """A character that prints as nothing: white space, default-ignorable, Braille blank."""
    return ch.isspace() or ord(ch) in _BLANK_EXTRA or is_default_ignorable(ch)


def is_invisible_only(text: str) -> bool:
    """True for text with characters that all print as nothing, some not white space.

    ("" and "   " are False: those are just empty, and get the usual "Enter …" message.)
    """
    return bool(text) and all(is_blank_char(ch) for ch in text) and not text.isspace()


def normalize_text(text: str, *, multiline: bool = False) -> str:
    """NFC, LF line ends (multi-line text only), blanks and invisibles stripped at both ends."""
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    start, end = 0, len(text)
    while start < end and is_blank_char(text[start]):
        start += 1
    while end > start and is_blank_char(text[end - 1]):
        end -= 1
    return text[start:end]


# Combining diacritics of the Latin, Greek and Cyrillic scripts (and Vietnamese tones), which
# people leave out when they type a name on a keyboard without them. Marks of other
# scripts (Thai vowels and tones, the kana voicing marks of が) carry meaning and stay.
_DIACRITIC_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                     (0xFE20, 0xFE2F))
# Letters with a stroke or other change that no decomposition removes.
_BASE_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i",
                               "ŧ": "t", "ƀ": "b", "ɨ": "i", "ʉ": "u"})
#: Characters of a search key at most; a longer key is cut (see `search_fold`).
SEARCH_KEY_MAX = 600


def _is_diacritic(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _DIACRITIC_RANGES)


def search_fold(text: str) -> str:
    """Case- and accent-free form of `text`: "Álvaro NÚÑEZ" → "alvaro nunez".

    NFKD (full-width and compatibility forms become plain ones), Unicode case folding,
    Latin/Greek/Cyrillic diacritics removed, a few stroked letters mapped (đ → d), then NFC
    again (so Hangul syllables and the marks that stay are composed), invisible characters
    dropped. The same function folds the stored key and the words searched for.
    """
    text = unicodedata.normalize("NFKD", text).casefold()
    text = unicodedata.normalize("NFKD", text)  # case folding can compose (e.g. U+0130)
    kept = "".join(ch for ch in text if not _is_diacritic(ch) and not
                   (is_default_ignorable(ch) or unicodedata.category(ch) == "Cc"))
    return unicodedata.normalize("NFC", kept.translate(_BASE_LETTERS))


def search_key(*parts: str | None) -> str:
    """The stored key of several fields: each folded, joined by a space, at most
    SEARCH_KEY_MAX characters (so an index entry stays far below PostgreSQL's limit of
    about 2,700 bytes; only absurdly long names lose their ends)."""
    key = " ".join(" ".join(search_fold(p).split()) for p in parts if p and p.strip())
    return key[:SEARCH_KEY_MAX]


def search_words(query: str, limit: int = 5) -> list[str]:
    """The folded words of a search query (at most `limit`), each to be found in the key."""
    return search_fold(query).split()[:limit]


def escape_like(s: str) -> str:
    """`s` for a LIKE pattern with ESCAPE '\\': wildcards typed by a person match literally."""
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def email_key(address: str) -> str:
    """The comparison form of an address already normalised by email-validator.

    The domain is as email-validator leaves it (IDNA UTS-46 mapping: NFKC and case folding,
    so "ｅxample.COM" is "example.com"). The local part is compared without regard to case
    (str.lower): RFC 5321 lets a server tell "Ann" from "ann", but none that delegates use
    does, and two registrations for one mailbox are the real risk. Registration takes only
    ASCII local parts (validation.clean_email); an account's may be NFC Unicode, lower-cased
    the same way (full case folding is not applied: it would make "ß" and "ss" one mailbox).
    """
    local, _, domain = address.rpartition("@")
    return f"{local.lower()}@{domain.lower()}"


def canonical_email(raw: str) -> str:
    """`email_key` of anything typed: valid addresses through email-validator, anything else
    NFKC-normalised, stripped and lower-cased (a rate limit must key invalid input too)."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        return email_key(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        return unicodedata.normalize("NFKC", text).lower()
