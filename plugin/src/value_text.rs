//! Text to value for the parameters: what the editor's value fields, the standalone's `--set`
//! and a host's text entry accept. Forgiving about form — units optional, any case, spaces or
//! none, `k` for thousands (`2k`, `1.5 kHz`), seconds for times (`1.2 s`), `4:1` for ratios —
//! and strict about meaning: a unit that belongs to another kind of value (`3 Hz` for a gain)
//! is refused rather than guessed at.

use std::sync::Arc;

pub type StringToValue = Arc<dyn Fn(&str) -> Option<f32> + Send + Sync>;

/// A leading number (an optional sign, digits, a decimal point, an exponent) and the rest,
/// trimmed and lower-cased.
fn split_number(text: &str) -> Option<(f64, String)> {
    let text = text.trim();
    let body = text.strip_prefix('+').unwrap_or(text);
    let mut end = 0;
    for (i, c) in body.char_indices() {
        let exponent_sign =
            (c == '-' || c == '+') && matches!(body[..i].chars().last(), Some('e' | 'E'));
        let exponent = (c == 'e' || c == 'E')
            && body[i + 1..].starts_with(|n: char| n.is_ascii_digit() || n == '-' || n == '+');
        if c.is_ascii_digit() || c == '.' || (c == '-' && i == 0) || exponent || exponent_sign {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    let number: f64 = body[..end].parse().ok()?;
    number
        .is_finite()
        .then(|| (number, body[end..].trim().to_ascii_lowercase()))
}

/// Frequencies: `250`, `250 Hz`, `2k`, `1.5 kHz`, `2khz`.
pub fn s2v_hz() -> StringToValue {
    Arc::new(|text| {
        let (number, unit) = split_number(text)?;
        let scale = match unit.as_str() {
            "" | "hz" => 1.0,
            "k" | "khz" => 1000.0,
            _ => return None,
        };
        Some((number * scale) as f32)
    })
}

/// Levels and gains: `-3`, `-3 dB`, `+6db`, `-1 dBTP`.
pub fn s2v_db() -> StringToValue {
    Arc::new(|text| {
        let (number, unit) = split_number(text)?;
        matches!(unit.as_str(), "" | "db" | "dbtp" | "dbfs").then_some(number as f32)
    })
}

/// Times in milliseconds: `250`, `250ms`, `250 ms`, `1.2 s`.
pub fn s2v_ms() -> StringToValue {
    Arc::new(|text| {
        let (number, unit) = split_number(text)?;
        let scale = match unit.as_str() {
            "" | "ms" => 1.0,
            "s" | "sec" => 1000.0,
            _ => return None,
        };
        Some((number * scale) as f32)
    })
}

/// Plain numbers (Q): `0.7`, `4`.
pub fn s2v_plain() -> StringToValue {
    Arc::new(|text| {
        let (number, unit) = split_number(text)?;
        unit.is_empty().then_some(number as f32)
    })
}

/// Compression ratios: `4`, `4:1`, `4 : 1`, `1:2` (expansion), `4.5:1`.
pub fn s2v_ratio() -> StringToValue {
    Arc::new(|text| match text.split_once(':') {
        Some((num, den)) => {
            let (num, den): (f32, f32) = (num.trim().parse().ok()?, den.trim().parse().ok()?);
            (den != 0.0).then(|| num / den).filter(|r| r.is_finite())
        }
        None => {
            let (number, unit) = split_number(text)?;
            unit.is_empty().then_some(number as f32)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(parse: &StringToValue, cases: &[(&str, Option<f32>)]) {
        for (text, want) in cases {
            assert_eq!(parse(text), *want, "{text:?}");
        }
    }

    #[test]
    fn frequencies_take_k_and_units() {
        all(
            &s2v_hz(),
            &[
                ("2k", Some(2000.0)),
                ("1.5k", Some(1500.0)),
                ("2 kHz", Some(2000.0)),
                ("2khz", Some(2000.0)),
                ("2000", Some(2000.0)),
                ("250 Hz", Some(250.0)),
                ("18.00 kHz", Some(18_000.0)),
                (" 80hz ", Some(80.0)),
                ("-3 dB", None),
                ("2 kg", None),
                ("", None),
                ("kHz", None),
            ],
        );
    }

    #[test]
    fn gains_times_ratios_and_plain_numbers() {
        all(
            &s2v_db(),
            &[
                ("-3", Some(-3.0)),
                ("-3 dB", Some(-3.0)),
                ("+6db", Some(6.0)),
                ("-1.00 dBTP", Some(-1.0)),
                ("3 Hz", None),
                ("1e-3", Some(0.001)),
            ],
        );
        all(
            &s2v_ms(),
            &[
                ("250ms", Some(250.0)),
                ("250 ms", Some(250.0)),
                ("150.00 ms", Some(150.0)),
                ("1.2 s", Some(1200.0)),
                ("40", Some(40.0)),
                ("40 Hz", None),
            ],
        );
        all(
            &s2v_ratio(),
            &[
                ("4:1", Some(4.0)),
                ("4 : 1", Some(4.0)),
                ("4", Some(4.0)),
                ("4.50:1", Some(4.5)),
                ("1:2", Some(0.5)),
                ("4:0", None),
                ("four", None),
            ],
        );
        all(
            &s2v_plain(),
            &[
                ("0.7", Some(0.7)),
                ("4", Some(4.0)),
                ("4 dB", None),
                ("q", None),
            ],
        );
    }
}
