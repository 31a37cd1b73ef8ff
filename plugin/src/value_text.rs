//! Value to text and back for the parameters. Shown with the precision its magnitude needs
//! ("63.5 Hz", "250 Hz", "1.25 kHz", "12.5 kHz"; "-3.5 dB"; "2.50 ms", "25.5 ms", "150 ms"),
//! each branch chosen by the *rounded* value so that text → value → text gives the
//! same text. Text to value is what the editor's value fields, the standalone's `--set` and a
//! host's text entry accept. Forgiving about form — units optional, any case, spaces or
//! none, `k` for thousands (`2k`, `1.5 kHz`), seconds for times (`1.2 s`), `4:1` for ratios —
//! and strict about meaning: a unit that belongs to another kind of value (`3 Hz` for a gain)
//! is refused rather than guessed at.

use std::sync::Arc;

pub type StringToValue = Arc<dyn Fn(&str) -> Option<f32> + Send + Sync>;
pub type ValueToString = Arc<dyn Fn(f32) -> String + Send + Sync>;

/// `value` with `decimals`, and "-0" written as "0".
fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// `value` at the first step it is below: (limit, divisor, decimals, unit). The limits are
/// where rounding would carry into the next step's form, so the text's own value stays in the
/// step that wrote it.
fn stepped(value: f64, steps: &[(f64, f64, usize, &str)]) -> String {
    let (_, divisor, decimals, unit) = steps
        .iter()
        .find(|(limit, ..)| value < *limit)
        .unwrap_or(&steps[steps.len() - 1]);
    let number = fixed(value / divisor, *decimals);
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

/// Frequencies: one decimal below 100 Hz, whole hertz below 1 kHz, then kHz with two decimals
/// below 10 kHz and one above.
pub fn hz_text(hz: f32) -> String {
    let steps = [
        (99.95, 1.0, 1, "Hz"),
        (999.5, 1.0, 0, "Hz"),
        (9995.0, 1000.0, 2, "kHz"),
        (f64::INFINITY, 1000.0, 1, "kHz"),
    ];
    stepped(hz as f64, &steps)
}

pub fn v2s_hz() -> ValueToString {
    Arc::new(hz_text)
}

/// Levels and gains: one decimal (the unit comes from the parameter).
pub fn v2s_db() -> ValueToString {
    Arc::new(|db| fixed(db as f64, 1))
}

/// Times in milliseconds: two decimals below 10 ms, one below 100 ms, whole milliseconds
/// above (the parameter adds its unit, " ms", which hosts also read as the unit's name).
pub fn v2s_ms() -> ValueToString {
    Arc::new(|ms| {
        let steps = [
            (9.995, 1.0, 2, ""),
            (99.95, 1.0, 1, ""),
            (f64::INFINITY, 1.0, 0, ""),
        ];
        stepped(ms as f64, &steps)
    })
}

/// Plain numbers (Q): two decimals below 10, one above.
pub fn v2s_plain() -> ValueToString {
    Arc::new(|v| {
        let v = v as f64;
        fixed(v, if v < 9.995 { 2 } else { 1 })
    })
}

/// Ratios: "4.0:1", "12:1".
pub fn v2s_ratio() -> ValueToString {
    Arc::new(|r| {
        let r = r as f64;
        format!("{}:1", fixed(r, if r < 9.95 { 1 } else { 0 }))
    })
}

/// A 0–1 amount as a percentage: "100", "50", "2.5" (the parameter adds "%").
pub fn v2s_percent() -> ValueToString {
    Arc::new(|v| {
        let p = v as f64 * 100.0;
        fixed(p, if p < 9.95 { 1 } else { 0 })
    })
}

/// Percentages: `50`, `50%`, `50 %`.
pub fn s2v_percent() -> StringToValue {
    Arc::new(|text| scaled(text, &[("", 0.01), ("%", 0.01)]))
}

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

    /// Every value's text parses back to a value with the same text (the property hosts and
    /// clap-validator check), and the texts read as promised.
    #[test]
    fn texts_have_the_precision_of_their_magnitude_and_round_trip() {
        let cases: [(ValueToString, StringToValue, f32, f32); 6] = [
            (v2s_hz(), s2v_hz(), 10.0, 22_000.0),
            (v2s_ms(), s2v_ms(), 0.05, 2500.0),
            (v2s_db(), s2v_db(), -60.0, 24.0),
            (v2s_plain(), s2v_plain(), 0.1, 18.0),
            (v2s_ratio(), s2v_ratio(), 1.0, 20.0),
            (v2s_percent(), s2v_percent(), 0.0, 1.0),
        ];
        for (to_text, to_value, min, max) in cases {
            for k in 0..=20_000 {
                let t = k as f32 / 20_000.0;
                // Log sweep for positive ranges, linear otherwise.
                let v = if min > 0.0 {
                    min * (max / min).powf(t)
                } else {
                    min + (max - min) * t
                };
                let text = to_text(v);
                let back = to_value(&text).unwrap_or_else(|| panic!("{text:?} did not parse"));
                assert_eq!(to_text(back), text, "{v} -> {text:?} -> {back}");
            }
        }
        let hz = v2s_hz();
        let shown: Vec<String> = [63.46, 250.0, 999.4, 1250.0, 9994.0, 12_500.0, 22_000.0]
            .map(|v| hz(v))
            .to_vec();
        assert_eq!(
            shown,
            [
                "63.5 Hz", "250 Hz", "999 Hz", "1.25 kHz", "9.99 kHz", "12.5 kHz", "22.0 kHz"
            ]
        );
        let ms = v2s_ms();
        assert_eq!(
            [2.5, 25.46, 150.0, 1200.0].map(|v| ms(v)),
            ["2.50", "25.5", "150", "1200"]
        );
        assert_eq!(
            [-3.46, -0.01, 6.0].map(|v| v2s_db()(v)),
            ["-3.5", "0.0", "6.0"]
        );
        assert_eq!([4.0, 12.0].map(|v| v2s_ratio()(v)), ["4.0:1", "12:1"]);
        assert_eq!([1.0, 0.025].map(|v| v2s_percent()(v)), ["100", "2.5"]);
        assert_eq!([0.707, 18.0].map(|v| v2s_plain()(v)), ["0.71", "18.0"]);
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
