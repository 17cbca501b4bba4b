//! Money: exact USD amounts on [`rust_decimal::Decimal`], never a float.
//!
//! Amounts travel as decimal strings (`"0.0012345"`) and are parsed with a
//! strict grammar ([`parse_usd`], [`parse_price`]): no exponent, no `NaN`, no
//! `Infinity`, at most 28 digits, so a float in disguise can never become money.
//! Arithmetic on prices ([`cost_of`], [`sum`]) is exact or fails with a typed
//! error: it never rounds silently. Rounding happens in exactly one place,
//! [`format_usd`], and only for display.

use crate::error::{Error, Quoted, Result};
use crate::text;
use rust_decimal::{Decimal, RoundingStrategy};

/// The most significant digits a [`Decimal`] holds exactly.
pub const MAX_DIGITS: usize = 28;

/// Decimal places shifted when turning a per-1M-tokens price into a per-token price.
pub const PER_MILLION_SCALE: u32 = 6;

/// Parses a USD amount typed by a user or sent by a client, exactly.
///
/// Grammar: an optional `-`, an optional `$`, one or more digits, optionally a
/// `.` and one or more digits (`"5"`, `"5.00"`, `"$0.0012345"`, `"-1.5"`).
/// Rejected with `invalid_input`: empty text, whitespace, `+`, exponents
/// (`"1e400"`), `NaN`, `Infinity`, thousands separators, and more than
/// [`MAX_DIGITS`] digits. Trailing zeros are kept (`"5.00"` has scale 2).
pub fn parse_usd(text: &str) -> Result<Decimal> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = rest.strip_prefix('$').unwrap_or(rest);
    let value = parse_unsigned(digits).map_err(|why| {
        Error::invalid_input(format!(
            "amount {} is not a USD amount: {why} (write it like \"12.50\")",
            Quoted(text)
        ))
    })?;
    Ok(if negative { -value } else { value })
}

/// Parses a signed decimal string as sent on the wire (`"-0.0012345"`):
/// the grammar of [`parse_usd`] without the `$`.
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let value = parse_unsigned(digits).map_err(|why| {
        Error::invalid_input(format!(
            "{} is not a decimal amount: {why} (write it like \"0.0012345\")",
            Quoted(text)
        ))
    })?;
    Ok(if negative { -value } else { value })
}

/// Serde helper for a [`Decimal`] carried as a decimal string on the wire:
/// serializes with every digit (`"0.00250"`), deserializes only strings that
/// pass [`parse_decimal`] (a JSON number or `"1e-3"` is rejected).
/// Use with `#[serde(with = "rork_cloud_credits_core::money::decimal_string")]`.
pub mod decimal_string {
    use rust_decimal::Decimal;
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};
    use std::borrow::Cow;

    /// Writes the decimal as a string with its full scale.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a strict decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        super::parse_decimal(&text).map_err(D::Error::custom)
    }
}

/// Parses a non-negative price from the catalog (`"2.50"`), with the grammar of
/// [`parse_usd`] minus the sign and the `$`. `field` names the price in the error.
pub fn parse_price(field: &str, text: &str) -> Result<Decimal> {
    parse_unsigned(text).map_err(|why| {
        Error::invalid_input(format!(
            "{field} {} is not a price: {why} (write it as a decimal string like \"2.50\")",
            Quoted(text)
        ))
    })
}

/// The strict unsigned grammar shared by [`parse_usd`] and [`parse_price`].
fn parse_unsigned(text: &str) -> std::result::Result<Decimal, &'static str> {
    let (whole, fraction) = match text::split_once(text, b'.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.map_or(true, all_digits) {
        return Err("only digits with an optional decimal point are allowed");
    }
    let leading_zeros = whole.bytes().take_while(|&b| b == b'0').count();
    let significant = whole.len() - leading_zeros + fraction.map_or(0, |fraction| fraction.len());
    if significant > MAX_DIGITS {
        return Err("more than 28 digits cannot be held exactly");
    }
    Decimal::from_str_exact(text).map_err(|_| "more than 28 digits cannot be held exactly")
}

/// The per-token price of a per-1M-tokens price: the same digits with the
/// decimal point moved [`PER_MILLION_SCALE`] places left. Exact, no division.
///
/// Fails with `invalid_input` when the result would need more than 28 decimal
/// places (catalog validation rules such prices out).
pub fn per_token(per_million: Decimal) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(
        per_million.mantissa(),
        per_million.scale() + PER_MILLION_SCALE,
    )
    .map_err(|_| {
        Error::invalid_input(format!(
            "price {per_million} per 1M tokens has too many decimal places to price one token exactly"
        ))
    })
}

/// `count * unit_price`, exactly: the cost keeps every digit of the price.
///
/// Fails with `invalid_input` instead of rounding when the exact product does
/// not fit in a [`Decimal`] (96-bit mantissa).
pub fn cost_of(count: u64, unit_price: Decimal) -> Result<Decimal> {
    // Fast path: a non-negative price whose product fits in 64 bits (every
    // catalog price times any realistic count) avoids 128-bit multiplication,
    // which wasm does in software.
    let small = u64::try_from(unit_price.mantissa())
        .ok()
        .and_then(|mantissa| mantissa.checked_mul(count));
    if let Some(product) = small {
        return Ok(from_u64(product, unit_price.scale()));
    }
    unit_price
        .mantissa()
        .checked_mul(i128::from(count))
        .and_then(|mantissa| Decimal::try_from_i128_with_scale(mantissa, unit_price.scale()).ok())
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "{count} × {unit_price} USD exceeds the exact range of 28 significant digits"
            ))
        })
}

/// The non-negative decimal `mantissa / 10^scale`; `scale` comes from a valid
/// [`Decimal`], so it is at most 28.
fn from_u64(mantissa: u64, scale: u32) -> Decimal {
    // Splitting a u64 into its low and high 32 bits is the intent of the casts.
    Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale)
}

/// `amount` without trailing zeros (`0.002500` → `0.0025`, `0.000` → `0`):
/// the same value, the same result as [`Decimal::normalize`], without 96-bit
/// division when the digits fit in 64 bits.
pub fn trim_zeros(amount: Decimal) -> Decimal {
    match u64::try_from(amount.mantissa().unsigned_abs()) {
        Ok(mut digits) if amount.is_sign_positive() || digits == 0 => {
            let mut scale = amount.scale();
            while scale > 0 && digits % 10 == 0 {
                digits /= 10;
                scale -= 1;
            }
            from_u64(digits, scale)
        }
        _ => amount.normalize(),
    }
}

/// The exact sum of `amounts`, or `invalid_input` if it cannot be held exactly.
///
/// Unlike `Decimal`'s `+`, this never drops low digits to make room.
pub fn sum<I: IntoIterator<Item = Decimal>>(amounts: I) -> Result<Decimal> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, exact_add)
        .ok_or_else(|| {
            Error::invalid_input("the total exceeds the exact range of 28 significant digits")
        })
}

/// `a + b` at the larger of the two scales, or `None` when that does not fit.
fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let widen = |d: Decimal| {
        10i128
            .checked_pow(scale - d.scale())
            .and_then(|factor| d.mantissa().checked_mul(factor))
    };
    let mantissa = widen(a)?.checked_add(widen(b)?)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// Formats an amount for display: `"$1,234.57"`, `"-$0.50"`, `"$0.00"`.
///
/// Rule: round to whole cents, halves away from zero (`0.005` → `"$0.01"`,
/// `-0.005` → `"-$0.01"`, `0.0049` → `"$0.00"`), group thousands with commas,
/// and put the minus sign before the `$`. An amount that rounds to zero is
/// shown without a sign. This is the only place the SDK rounds money; keep
/// the exact decimal string for anything that is summed, compared or stored.
pub fn format_usd(amount: Decimal) -> String {
    let cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = cents.abs().to_string();
    let (whole, fraction) = text::split_once(&text, b'.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents.is_zero() || cents.is_sign_positive() {
        ""
    } else {
        "-"
    };
    format!("{sign}${grouped}.{fraction:0<2}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn parse_usd_accepts_plain_decimals_exactly() {
        assert_eq!(parse_usd("5").unwrap(), d("5"));
        assert_eq!(parse_usd("5.00").unwrap().to_string(), "5.00");
        assert_eq!(parse_usd("$200.00").unwrap(), d("200"));
        assert_eq!(parse_usd("-1.5").unwrap(), d("-1.5"));
        assert_eq!(parse_usd("-$0.0012345").unwrap(), d("-0.0012345"));
        assert_eq!(
            parse_usd("0.1234567890123456789012345678")
                .unwrap()
                .to_string(),
            "0.1234567890123456789012345678"
        );
    }

    #[test]
    fn parse_usd_rejects_floats_in_disguise_and_junk() {
        for bad in [
            "",
            "1e400",
            "1E5",
            "1.5e-3",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "inf",
            " 1",
            "1 ",
            "+1",
            "1,000",
            "1_000",
            ".5",
            "5.",
            "--1",
            "$-1",
            "0x10",
            "1.2.3",
            "$",
            "12345678901234567890123456789",
            "0.12345678901234567890123456789",
        ] {
            let err = parse_usd(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{bad:?}");
            assert!(err.message.contains(&format!("{bad:?}")), "{}", err.message);
        }
    }

    #[test]
    fn parse_decimal_is_strict_and_signed() {
        assert_eq!(parse_decimal("-0.0012345").unwrap(), d("-0.0012345"));
        for bad in ["$1", "1e-3", "NaN", "", "-"] {
            assert!(parse_decimal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn decimal_string_serde_rejects_numbers() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Amount(#[serde(with = "decimal_string")] Decimal);
        let json = serde_json::to_string(&Amount(d("0.00250"))).unwrap();
        assert_eq!(json, "\"0.00250\"");
        assert_eq!(
            serde_json::from_str::<Amount>(&json).unwrap().0,
            d("0.0025")
        );
        assert!(serde_json::from_str::<Amount>("0.0025").is_err());
        assert!(serde_json::from_str::<Amount>("\"2.5e-3\"").is_err());
    }

    #[test]
    fn parse_price_rejects_signs() {
        assert_eq!(parse_price("inputPer1M", "2.50").unwrap(), d("2.5"));
        let err = parse_price("inputPer1M", "-2.50").unwrap_err();
        assert!(err.message.starts_with("inputPer1M"), "{}", err.message);
        assert!(parse_price("inputPer1M", "$2").is_err());
    }

    #[test]
    fn per_token_shifts_the_scale_by_six() {
        assert_eq!(per_token(d("2.50")).unwrap().to_string(), "0.00000250");
        assert_eq!(per_token(d("0.075")).unwrap(), d("0.000000075"));
        assert_eq!(
            per_token(d("15")).unwrap() * Decimal::from(1_000_000),
            d("15")
        );
        assert!(per_token(d("0.00000000000000000000001")).is_err());
    }

    #[test]
    fn cost_of_is_exact_or_an_error() {
        assert_eq!(cost_of(1234, d("0.0000025")).unwrap(), d("0.003085"));
        assert_eq!(cost_of(0, d("0.5")).unwrap(), Decimal::ZERO);
        let max = (1u64 << 53) - 1;
        assert_eq!(
            cost_of(max, d("0.000000000001")).unwrap(),
            d("9007.199254740991")
        );
        // 2^53 × a 28-digit price does not fit in 96 bits: refuse, never round.
        let err = cost_of(max, d("0.1234567890123456789012345678")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn cost_of_agrees_on_both_paths() {
        // 2^64 / 10 × 10 overflows u64 and takes the 128-bit path.
        let wide = cost_of(10, d("1844674407370955161.6")).unwrap();
        assert_eq!(wide, d("18446744073709551616"));
        assert_eq!(cost_of(3, d("-0.5")).unwrap(), d("-1.5"));
    }

    #[test]
    fn trim_zeros_is_normalize() {
        for text in [
            "0",
            "0.000",
            "-0.000",
            "1.500",
            "-1.500",
            "0.0025000",
            "100",
            "12.0",
            "79228162514264337593543950335",
            "0.0000000000000000000000000010",
            "18446744073709551616.00",
        ] {
            let amount = d(text);
            let trimmed = trim_zeros(amount);
            assert_eq!(
                trimmed.to_string(),
                amount.normalize().to_string(),
                "{text}"
            );
            assert_eq!(trimmed, amount, "{text}");
        }
    }

    #[test]
    fn sum_keeps_every_digit() {
        let parts = [d("0.1"), d("0.2"), d("0.0000000000000000000000000001")];
        assert_eq!(
            sum(parts).unwrap().to_string(),
            "0.3000000000000000000000000001"
        );
        assert_eq!(sum([]).unwrap(), Decimal::ZERO);
        // Decimal's `+` would round this; `sum` refuses instead.
        let big = d("79228162514264337593543950335");
        assert!(sum([big, d("0.1")]).is_err());
    }

    #[test]
    fn format_usd_rounds_half_away_from_zero_to_cents() {
        let cases = [
            ("0", "$0.00"),
            ("0.004", "$0.00"),
            ("0.0049", "$0.00"),
            ("0.005", "$0.01"),
            ("-0.005", "-$0.01"),
            ("-0.004", "$0.00"),
            ("0.015", "$0.02"),
            ("0.025", "$0.03"),
            ("1", "$1.00"),
            ("1.5", "$1.50"),
            ("999.995", "$1,000.00"),
            ("1234.567", "$1,234.57"),
            ("-1234567.891", "-$1,234,567.89"),
            ("100000", "$100,000.00"),
        ];
        for (amount, shown) in cases {
            assert_eq!(format_usd(d(amount)), shown, "{amount}");
        }
    }
}
