"""Input rules shared by the form and the API (no database needed)."""

import pytest

from eventsapp.registration.validation import ValidationFailed, clean_registration

VALID = {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org"}

NAMES = ["Zoë Ñúñez-Łukasz", "José", "李小龍", "髙橋 \U00020BB7野", "สมชาย ใจดี", "ผู้ใหญ่",
         "محمد عبد الله", "שלום כהן", "Nguyễn Thị Minh Khai", "Иван Петров", "Ωμέγα",
         "Dr. O'Brien-Smith", "👩🏽‍💻 Ada", "김민준", "佐藤 花子", "<script>alert(1)</script>",
         "{{7*7}}", "Smith & Wesson <3"]


@pytest.mark.parametrize("name", NAMES)
def test_any_script_and_markup_is_accepted_as_text(name):
    assert clean_registration({**VALID, "given_name": name}).given_name == name


def test_names_are_stripped_and_nfc_normalised():
    data = clean_registration({**VALID, "given_name": "  Jose\u0301 ", "family_name": "\tX"[1:]})
    assert data.given_name == "José"


@pytest.mark.parametrize("value, message", [
    ("", "Enter your given name."),
    ("   ", "Enter your given name."),
    ("\u00a0", "Enter your given name."),
    ("A" * 201, "Given name must be at most 200 characters long."),
    ("A" * 50_000, "Given name must be at most 200 characters long."),
    ("\x00", "Given name must not contain line breaks or control characters."),
    ("\x1b[31mred", "Given name must not contain line breaks or control characters."),
    ("\x7f", "Given name must not contain line breaks or control characters."),
    ("Alice\r\nBcc: victim@example.org", "Given name must not contain line breaks or control "
                                        "characters."),
    ("\u202egnp.exe", "Given name must not contain line breaks or control characters."),
    (5, "Given name must be text."),
    (["Ada"], "Given name must be text."),
])
def test_bad_names_are_refused_with_a_clear_message(value, message):
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, "given_name": value})
    assert exc.value.errors == {"given_name": [message]}


@pytest.mark.parametrize("field,label", [("organisation", "Organisation"),
                                         ("job_title", "Job title")])
def test_other_free_text_is_capped_at_two_hundred_characters(field, label):
    """P4: a 50,000-character string is refused at input, never rendered on a badge."""
    assert len(getattr(clean_registration({**VALID, field: "O" * 200}), field)) == 200
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, field: "O" * 50_000})
    assert exc.value.errors == {field: [f"{label} must be at most 200 characters long."]}


def test_two_hundred_characters_are_allowed():
    assert len(clean_registration({**VALID, "family_name": "界" * 200}).family_name) == 200


@pytest.mark.parametrize("email", ["a@b", "not-an-email", "Alice\r\nBcc: victim@example.org",
                                   "", None, 42])
def test_invalid_email_is_refused(email):
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, "email": email})
    assert list(exc.value.errors) == ["email"]


def test_email_keeps_case_but_compares_lowercase():
    data = clean_registration({**VALID, "email": "User+Tag@Example.ORG"})
    assert (data.email, data.email_normalized) == ("User+Tag@example.org", "user+tag@example.org")


@pytest.mark.parametrize("field, value, message", [
    ("economy", "XX", "Choose an economy from the list."),
    ("economy", "aus", "Choose an economy from the list."),
    ("sector", "army", "Choose a sector from the list."),
    ("sector", "", "Choose a sector."),
    ("category", "vip", "Choose a category from the list."),
    ("category", 3, "Choose a category from the list."),
    ("consent_to_list", "yes", "Participant list consent must be true or false."),
])
def test_unknown_choices_and_wrong_types_are_refused(field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, field: value})
    assert exc.value.errors == {field: [message]}


def test_defaults_and_no_economy():
    data = clean_registration({**VALID, "economy": ""})
    assert (data.economy, data.sector, data.category, data.consent_to_list) == (
        None, "government", "delegate", False)


def test_every_error_is_reported_at_once():
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({"given_name": "", "email": "x", "economy": "ZZ"})
    assert sorted(exc.value.errors) == ["economy", "email", "family_name", "given_name"]


# --- issue 14: addresses in any script, look-alike and invisible text ----------------------

SMTPUTF8_MESSAGE = (
    "Enter an address whose part before the @ uses only Latin letters, digits and "
    "punctuation (a–z, 0–9, . _ - +): mail to other letters there is refused by many "
    "mail servers. The part after the @ may be in any script.")


def test_internationalised_domain_is_accepted_and_kept_readable():
    data = clean_registration({**VALID, "email": "jonas@MÜLLER.example"})
    assert (data.email, data.email_normalized) == ("jonas@müller.example",
                                                   "jonas@müller.example")


@pytest.mark.parametrize("email", ["jönas@müller.example", "用户@例子.广告", "δοκιμή@example.org"])
def test_non_ascii_local_part_is_refused_with_a_clear_message(email):
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, "email": email})
    assert exc.value.errors == {"email": [SMTPUTF8_MESSAGE]}


def test_full_width_domain_is_the_same_address():
    plain = clean_registration({**VALID, "email": "victim@example.com"})
    wide = clean_registration({**VALID, "email": "victim@ｅxample.com"})
    upper = clean_registration({**VALID, "email": "Victim@ＥXAMPLE.COM"})
    assert (wide.email, wide.email_normalized) == ("victim@example.com", "victim@example.com")
    assert plain.email_normalized == wide.email_normalized == upper.email_normalized


def test_local_part_compares_without_case():
    data = clean_registration({**VALID, "email": "Ann.Lee+CTWG@Example.org"})
    assert (data.email, data.email_normalized) == ("Ann.Lee+CTWG@example.org",
                                                   "ann.lee+ctwg@example.org")


@pytest.mark.parametrize("name", ["\u200b", "\u2060", "\ufeff", "\u3164", "\u200b \u2060",
                                  "\u115f\u1160", "\u2800", "\u00ad", "\ufe0f"])
def test_invisible_only_names_are_refused_with_a_clear_message(name):
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**VALID, "given_name": name, "native_name": name})
    message = "has only invisible characters (such as a zero-width space); type it as it " \
              "should be printed."
    assert exc.value.errors == {"given_name": [f"Given name {message}"],
                                "native_name": [f"Name in native script {message}"]}


def test_invisible_characters_at_the_ends_are_removed_and_text_is_nfc():
    data = clean_registration({**VALID, "given_name": "\u200bZoe\u0308\u2060",
                               "family_name": "\ufeffNguye\u0302\u0303n\u3000"})
    assert (data.given_name, data.family_name) == ("Zoë", "Nguyễn")


def test_joiners_inside_a_name_stay():
    # ZWJ/ZWNJ shape Indic, Persian and emoji text: only the ends are cleaned.
    assert clean_registration({**VALID, "given_name": "👩\u200d💻 Ada"}).given_name == \
        "👩\u200d💻 Ada"
