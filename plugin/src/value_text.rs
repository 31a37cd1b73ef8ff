//! Text to value for the parameters: what the editor's value fields, the standalone's `--set`
//! and a host's text entry accept. Forgiving about form — units optional, any case, spaces or
//! none, `k` for thousands (`2k`, `1.5 kHz`), seconds for times (`1.2 s`), `4:1` for ratios —
//! and strict about meaning: a unit that belongs to another kind of value (`3 Hz` for a gain)
//! is refused rather than guessed at.

use std::sync::Arc;

pub type StringToValue = Arc<dyn Fn(&str) -> Option<f32> + Send + Sync>;

/// The longest leading number (`f64`'s own syntax, after an optional `+`) and the rest,
/// trimmed and lower-cased.
fn split_number(text: &str) -> Option<(f64, String)> {
    let text = text.trim();
    let body = text.strip_prefix('+').unwrap_or(text);
    let (number, end) = body
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .rev()
        .find_map(|end| body[..end].parse::<f64>().ok().map(|n| (n, end)))?;
    number
        .is_finite()
        .then(|| (number, body[end..].trim().to_ascii_lowercase()))
}

/// The number in `text` times the scale of its unit, if the unit is one of `units`.
fn scaled(text: &str, units: &[(&str, f64)]) -> Option<f32> {
    let (number, unit) = split_number(text)?;
    let (_, scale) = units.iter().find(|(u, _)| *u == unit)?;
    Some((number * scale) as f32)
}

/// Frequencies: `250`, `250 Hz`, `2k`, `1.5 kHz`, `2khz`.
pub fn s2v_hz() -> StringToValue {
    Arc::new(|text| {
        scaled(
            text,
            &[("", 1.0), ("hz", 1.0), ("k", 1000.0), ("khz", 1000.0)],
        )
    })
}

/// Levels and gains: `-3`, `-3 dB`, `+6db`, `-1 dBTP`.
pub fn s2v_db() -> StringToValue {
    Arc::new(|text| {
        scaled(
            text,
            &[("", 1.0), ("db", 1.0), ("dbtp", 1.0), ("dbfs", 1.0)],
        )
    })
}

/// Times in milliseconds: `250`, `250 ms`, `250ms`, `1.2 s`.
pub fn s2v_ms() -> StringToValue {
    Arc::new(|text| {
        scaled(
            text,
            &[("", 1.0), ("ms", 1.0), ("s", 1000.0), ("sec", 1000.0)],
        )
    })
}

/// Plain numbers (Q): `0.7`, `4`.
pub fn s2v_plain() -> StringToValue {
    Arc::new(|text| scaled(text, &[("", 1.0)]))
}

/// Compression ratios: `4`, `4:1`, `4 : 1`, `1:2` (expansion), `4.5:1`.
pub fn s2v_ratio() -> StringToValue {
    Arc::new(|text| match text.split_once(':') {
        Some((num, den)) => {
            let (num, den): (f32, f32) = (num.trim().parse().ok()?, den.trim().parse().ok()?);
            (den != 0.0).then(|| num / den).filter(|r| r.is_finite())
        }
        None => scaled(text, &[("", 1.0)]),
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
