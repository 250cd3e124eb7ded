"""ИИН / БИН control digits (Kazakhstan's algorithm)."""
from hypothesis import given
from hypothesis import strategies as st

from app.domain.identifiers import control_digit, is_valid_bin, is_valid_iin, with_control_digit


def test_known_valid_iin_passes():
    # 1 Jan 1990, a man born in the 20th century; control digit computed by hand:
    # weights 1..11 over 9 0 0 1 0 1 3 0 0 0 0 -> 9+0+0+4+0+6+21+0+0+0+0 = 40 % 11 = 7
    assert control_digit("90010130000") == 7
    assert is_valid_iin("900101300007")


def test_iin_with_wrong_control_digit_fails():
    assert not is_valid_iin("900101300008")


def test_iin_second_weights_are_used_when_first_give_ten():
    # first weights: 1*0+2*0+3*0+4*1+5*0+6*1+7*5+8*0+9*0+10*0+11*0 = 45 % 11 = 1 -> not 10;
    # search a prefix whose first sum is 10 and check the second pass decides.
    for tail in range(10000):
        first11 = f"850101{'3'}{tail:04d}"
        digits = [int(c) for c in first11]
        if sum(d * w for d, w in zip(digits, range(1, 12))) % 11 == 10:
            second = sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))) % 11
            assert control_digit(first11) == (None if second == 10 else second)
            return
    raise AssertionError("no prefix exercised the second weights")


def test_iin_rejects_bad_date_century_and_shape():
    assert not is_valid_iin("901301300007")  # month 13
    assert not is_valid_iin("900101700007")  # century digit 7
    assert not is_valid_iin("90010130000")  # 11 digits
    assert not is_valid_iin("9001013000O7")  # a letter O
    assert not is_valid_iin("９００１０１３００００７")  # full-width digits


def test_bin_checks_month_type_and_control_digit():
    bin_ = with_control_digit("1205400012")  # 10 digits: not a prefix
    assert bin_ is None or len(bin_) != 12
    full = None
    for tail in range(1000):
        full = with_control_digit(f"12054{tail:06d}")
        if full:
            break
    assert full and is_valid_bin(full)
    assert not is_valid_bin(full[:4] + "7" + full[5:])  # type digit must be 4-6
    assert not is_valid_bin("1305" + full[4:])  # month 13


@given(st.integers(min_value=0, max_value=9999), st.dates())
def test_generated_iins_validate(tail, born):
    if not 1800 <= born.year <= 2099:
        return
    century = "3" if 1900 <= born.year < 2000 else ("5" if born.year >= 2000 else "1")
    full = with_control_digit(f"{born:%y%m%d}{century}{tail:04d}")
    if full is not None:
        assert is_valid_iin(full)
        assert not is_valid_iin(full[:11] + str((int(full[11]) + 1) % 10))
