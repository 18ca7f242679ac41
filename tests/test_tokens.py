"""Secrets: sizes, alphabets and independence."""

from collections import Counter

from eventsapp.tokens import CHECKIN_ALPHABET, TOKEN_RE, new_checkin_code, new_token


def test_management_tokens_carry_256_bits_in_43_url_safe_characters():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(TOKEN_RE.match(t) for t in tokens)


def test_checkin_codes_are_12_characters_a_person_can_type_using_the_whole_alphabet():
    codes = [new_checkin_code() for _ in range(4000)]
    assert len(set(codes)) == len(codes)
    assert {len(c) for c in codes} == {12}
    seen = Counter("".join(codes))
    assert set(seen) == set(CHECKIN_ALPHABET)  # no 0/O or 1/I, and none of the 32 missing
    # 48,000 characters over 32: 1,500 each expected; a stuck bit would halve or zero some.
    assert min(seen.values()) > 1200 and max(seen.values()) < 1800
