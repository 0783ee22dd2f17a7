import pytest

from bot.core.crypto import CryptoError, DataCipher

KEY = "unit-test-key-unit-test-key-unit-test-key"


def test_round_trip_and_fresh_ciphertext_each_time() -> None:
    cipher = DataCipher(KEY)
    first, second = (
        cipher.encrypt("3309041203710003"),
        cipher.encrypt("3309041203710003"),
    )
    assert first != second
    assert "3309041203710003" not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == "3309041203710003"


def test_wrong_key_is_a_typed_error() -> None:
    token = DataCipher(KEY).encrypt("3309041203710003")
    with pytest.raises(CryptoError):
        DataCipher(KEY + "x").decrypt(token)


def test_lookup_hash_ignores_separators_and_separates_kinds() -> None:
    cipher = DataCipher(KEY)
    plain = cipher.lookup_hash("3309041203710003")
    assert cipher.lookup_hash("3309 0412-0371.0003") == plain
    assert cipher.lookup_hash("3309041203710003", kind="kpj") != plain
    assert DataCipher(KEY + "x").lookup_hash("3309041203710003") != plain


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        DataCipher("too-short")
