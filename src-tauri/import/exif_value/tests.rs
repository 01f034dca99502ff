//! The number formatting behind the EXIF values.

use super::{round, round_decimals_in, shutter};

#[test]
fn long_decimals_keep_three_significant_ones() {
    assert_eq!(round_decimals_in("0.0333333333"), "0.0333");
    assert_eq!(round_decimals_in("2.8284271 mm"), "2.828 mm");
    assert_eq!(round_decimals_in("-1.23456"), "-1.235");
    assert_eq!(
        round_decimals_in("52 deg 30 min 12.345678 sec"),
        "52 deg 30 min 12.346 sec"
    );
    assert_eq!(
        round_decimals_in("1.5, 300, 0.125"),
        "1.5, 300, 0.125",
        "short ones stay"
    );
    assert_eq!(round_decimals_in("1.20000001"), "1.2");
}

#[test]
fn rounding_drops_trailing_zeros_and_negative_zero() {
    assert_eq!(round(-0.001, 2), "0");
    assert_eq!(round(1.5, 2), "1.5");
    assert_eq!(round(3.0, 2), "3");
}

#[test]
fn shutter_speeds_under_a_second_are_fractions() {
    assert_eq!(shutter(3.9), "1/15 s");
    assert_eq!(shutter(6.64), "1/100 s");
    assert_eq!(shutter(0.4), "1/1.3 s", "2^0.4 = 1.32");
    assert_eq!(shutter(0.0), "1 s");
    assert_eq!(shutter(-2.0), "4 s");
}
