//! Cost ratios on a shared machine: two set-ups timed in turn within one process, so a slow
//! phase of the machine weighs on both alike, and the fastest run of each kept.

use std::time::Instant;

/// Run each of `runs` in turn, `rounds` times (plus one first round that is not timed: it
/// settles fades and caches), and return the fastest time of each, in seconds.
pub fn fastest_in_turn<const N: usize>(
    rounds: usize,
    runs: &mut [&mut dyn FnMut(); N],
) -> [f64; N] {
    let mut best = [f64::INFINITY; N];
    for round in 0..=rounds {
        for (run, best) in runs.iter_mut().zip(&mut best) {
            let start = Instant::now();
            run();
            if round > 0 {
                *best = best.min(start.elapsed().as_secs_f64());
            }
        }
    }
    best
}

/// The line both benches print for a pair timed by `fastest_in_turn`: the second's cost over
/// the first's, per second of audio when each run is one second long.
pub fn ratio_line(bench: &str, name: &str, [first, second]: [f64; 2]) -> String {
    format!(
        "{bench}: {name}: {:.0} against {:.0} µs per second of audio, {:.3}×",
        second * 1e6,
        first * 1e6,
        second / first
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work of twice the length reads about twice the time, and every run is counted.
    #[test]
    fn the_ratio_follows_the_work() {
        let (mut a_runs, mut b_runs) = (0, 0);
        let spin = |n: u64| (0..n).fold(0u64, |h, i| std::hint::black_box(h ^ i.wrapping_mul(31)));
        let mut a = || {
            a_runs += 1;
            std::hint::black_box(spin(200_000));
        };
        let mut b = || {
            b_runs += 1;
            std::hint::black_box(spin(400_000));
        };
        let [ta, tb] = fastest_in_turn(20, &mut [&mut a, &mut b]);
        assert_eq!((a_runs, b_runs), (21, 21));
        let ratio = tb / ta;
        assert!((1.4..2.8).contains(&ratio), "{ratio}");
        assert!(ratio_line("x", "y", [ta, tb]).ends_with(&format!("{ratio:.3}×")));
    }
}
