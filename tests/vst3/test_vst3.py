"""VST3 host test: pedalboard loads Strata.vst3, sets parameters by name, and the measured
transfer function of a sine sweep must match the analog bell (1 kHz, +6 dB, Q 1).

Usage: python test_vst3.py path/to/Strata.vst3
Exits non-zero (with the measurements printed) when a check fails.
"""

import math
import sys

import numpy as np
import pedalboard

RATE = 48_000


def analog_bell_db(freq, centre, gain_db, q):
    """|H(jw)| of the RBJ analog peaking prototype, in dB."""
    a = 10 ** (gain_db / 40)
    w = freq / centre
    num = (1 - w * w) ** 2 + (a / q * w) ** 2
    den = (1 - w * w) ** 2 + (w / (a * q)) ** 2
    return 10 * math.log10(num / den)


def sweep(seconds, f0=10.0, f1=22_000.0):
    """Exponential sine sweep at -12 dBFS, with half a second of silence after it."""
    t = np.arange(int(seconds * RATE)) / RATE
    k = math.log(f1 / f0)
    x = 0.25 * np.sin(2 * math.pi * f0 * seconds / k * (np.exp(t * k / seconds) - 1))
    return np.concatenate([x, np.zeros(RATE // 2)]).astype(np.float32)


def transfer_db(x, y, freq):
    """|Y/X| at `freq`, from the spectra of the whole sweep (its tail has decayed)."""
    n = 1 << int(math.ceil(math.log2(len(x))))
    fx = np.fft.rfft(x, n)
    fy = np.fft.rfft(y, n)
    k = int(round(freq * n / RATE))
    # Average a few bins around the frequency: the sweep's spectrum is smooth there.
    sl = slice(k - 2, k + 3)
    return 10 * math.log10(np.sum(np.abs(fy[sl]) ** 2) / np.sum(np.abs(fx[sl]) ** 2))


def square(level_db, freq, seconds):
    """A square wave: its magnitude is constant, so a peak detector reads exactly its level."""
    t = np.arange(int(seconds * RATE)) / RATE
    a = 10 ** (level_db / 20)
    return np.where(np.sin(2 * math.pi * freq * (t + 0.5 / RATE)) >= 0, a, -a).astype(np.float32)


def static_gain_db(level_db, threshold_db, ratio):
    """The compressor's static curve with a hard knee."""
    over = level_db - threshold_db
    return min(0.0, (1 / ratio - 1) * over)


def check_latency(path, check):
    """The latency the plugin reports is what pedalboard compensates: an impulse comes back
    exactly where it went in, and the reported figure is the limiter's lookahead plus the
    true-peak interpolator's delay."""
    for lookahead_ms in [2.0, 7.5]:
        plugin = pedalboard.load_plugin(path)
        plugin.limiter_on = True
        plugin.limiter_lookahead_ms = lookahead_ms
        x = np.zeros((2, RATE // 2), np.float32)
        x[:, 1000] = 0.25
        y = plugin.process(x, RATE, buffer_size=512, reset=True)
        expected = 16 + round(lookahead_ms * RATE / 1000) - 1
        reported = plugin.reported_latency_samples
        check(f"lookahead {lookahead_ms} ms: reported latency {reported} samples (expected {expected})",
              reported == expected)
        at = int(np.argmax(np.abs(y[0])))
        check(f"lookahead {lookahead_ms} ms: compensated impulse at {at} (sent at 1000), value {y[0][at]}",
              at == 1000 and y[0][at] == np.float32(0.25))


def check_compressor(path, check):
    """Threshold and ratio set by name move the measured gain along the static curve."""
    plugin = pedalboard.load_plugin(path)
    plugin.comp_on = True
    plugin.comp_knee_db = 0
    plugin.comp_attack_ms = 1
    plugin.comp_release_ms = 20
    x = square(-10.0, 250.0, 1.0)
    stereo = np.stack([x, x])
    # pedalboard lists the ratio as text ("4.01:1", ...): take the nearest, use its exact value.
    ratios = {float(v.split(":")[0]): v for v in plugin.parameters["comp_ratio"].valid_values}
    for threshold, wanted in [(-30.0, 10.0), (-20.0, 10.0), (-20.0, 4.0), (0.0, 4.0)]:
        ratio = min(ratios, key=lambda r: abs(r - wanted))
        plugin.comp_threshold_db = threshold
        plugin.comp_ratio = ratios[ratio]
        y = plugin.process(stereo, RATE, buffer_size=512, reset=True)
        gain = 20 * math.log10(abs(float(y[0][-1])) / abs(float(x[-1])))
        expected = static_gain_db(-10.0, threshold, ratio)
        check(f"threshold {threshold} dB, ratio {ratio}: gain {gain:+.3f} dB (expected {expected:+.3f})",
              abs(gain - expected) < 0.05)


def main():
    path = sys.argv[1]
    failures = []

    def check(what, ok):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    plugin = pedalboard.load_plugin(path)
    check(f"loaded plugin is named Strata ({plugin.name!r})", plugin.name == "Strata")
    names = set(plugin.parameters.keys())
    # Every name the checks below set: pedalboard names parameters after their display name
    # and unit, and setting a name it does not have is silently an attribute of its own.
    for name in ["eq1_on", "eq1_type", "eq1_freq", "eq1_gain_db", "eq1_q", "bypass",
                 "input_gain_db", "output_gain_db", "comp_on", "comp_threshold_db",
                 "comp_ratio", "comp_knee_db", "comp_attack_ms", "comp_release_ms",
                 "limiter_on", "limiter_ceiling_db", "limiter_lookahead_ms"]:
        check(f"parameter {name} exists", name in names)

    # Parameters set by name, in their own units.
    plugin.eq1_on = True
    plugin.eq1_type = "Bell"
    plugin.eq1_freq = 1000
    plugin.eq1_gain_db = 6
    plugin.eq1_q = 1
    check(f"eq1_gain_db reads back 6 ({plugin.eq1_gain_db})", abs(plugin.eq1_gain_db - 6) < 0.01)

    x = sweep(4.0)
    stereo = np.stack([x, x])
    y = plugin.process(stereo, RATE, buffer_size=512, reset=True)
    check("output is finite", bool(np.all(np.isfinite(y))))
    check("channels are identical", bool(np.array_equal(y[0], y[1])))

    for freq in [1000.0, 100.0, 10_000.0, 300.0, 3000.0]:
        measured = transfer_db(x, y[0], freq)
        expected = analog_bell_db(freq, 1000.0, 6.0, 1.0)
        check(f"{freq:.0f} Hz: measured {measured:+.3f} dB, analog {expected:+.3f} dB",
              abs(measured - expected) < 0.1)

    # And the plain sine at 1 kHz, steady state: +6 dB.
    t = np.arange(RATE) / RATE
    s = (0.1 * np.sin(2 * math.pi * 1000 * t)).astype(np.float32)
    ys = plugin.process(np.stack([s, s]), RATE, buffer_size=480, reset=True)
    tail = slice(RATE // 2, RATE)
    gain = 20 * math.log10(np.sqrt(np.mean(ys[0][tail] ** 2)) / np.sqrt(np.mean(s[tail] ** 2)))
    check(f"1 kHz sine gain {gain:+.4f} dB (expected +6)", abs(gain - 6.0) < 0.02)

    check_latency(path, check)
    check_compressor(path, check)

    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all VST3 checks passed")


if __name__ == "__main__":
    main()
