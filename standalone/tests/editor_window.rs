//! The editor in a real window: starts `strata-standalone` on an X server (Xvfb when no
//! `DISPLAY` is set), waits for its window, takes a screenshot with ImageMagick's `import` and
//! checks what a user would see: the window at its default size, many colours, the band
//! colours of the enabled bands, and green meter bars (audio reached the meters and the
//! meters reached the window).
//!
//! The screenshot is saved to `target/screenshots/editor.png`; set `STRATA_SCREENSHOT=PATH` to
//! write it somewhere else too (the README's `docs/editor.png` is made that way). Needs
//! `xvfb`, `x11-utils` and `imagemagick` (in `scripts/debian-packages.txt`).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X server for the test: the session's own, or an Xvfb started (and stopped) here.
struct Display {
    name: String,
    server: Option<Child>,
}

impl Display {
    fn open() -> Display {
        if let Ok(name) = std::env::var("DISPLAY")
            && !name.is_empty()
        {
            return Display { name, server: None };
        }
        // -displayfd: Xvfb picks a free display and writes its number to stdout.
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("no DISPLAY and Xvfb could not start (apt-get install xvfb)");
        let mut line = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("Xvfb display number");
        Display {
            name: format!(":{}", line.trim()),
            server: Some(server),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.name);
        c
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// The id of the top-level window called `name`, once it is mapped.
fn wait_for_window(display: &Display, name: &str, timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        let out = display
            .command("xwininfo")
            .args(["-name", name])
            .output()
            .expect("xwininfo (x11-utils)");
        let text = String::from_utf8_lossy(&out.stdout);
        if out.status.success() && text.contains("IsViewable") {
            let id = text
                .lines()
                .find_map(|l| l.split("Window id: ").nth(1))
                .and_then(|rest| rest.split_whitespace().next())
                .expect("window id");
            return id.to_string();
        }
        assert!(
            started.elapsed() < timeout,
            "no '{name}' window after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Width, height and RGB pixels of a PNG.
fn read_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "8-bit screenshot");
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// How many pixels lie within a few levels of `rgb` (antialiasing and blending move edges).
fn count_near(pixels: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6))
        .count()
}

struct Running(Child);

/// CPU time (user + system) the process has used so far, seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // Linux reports in USER_HZ, 100 on every architecture it supports.
    ticks / 100.0
}

/// Start the standalone on `display` with `args`, and wait for its window.
fn launch(display: &Display, args: &[&str]) -> (Running, String) {
    let mut command = display.command(env!("CARGO_BIN_EXE_strata-standalone"));
    // Simulated devices (the demo signal in unless `args` say otherwise): no sound card here.
    command
        .args(["--seconds", "60", "--audio-host", "Simulated"])
        .args(args);
    let app = Running(
        command
            .stdout(Stdio::null())
            .spawn()
            .expect("strata-standalone"),
    );
    let window = wait_for_window(display, "Strata", Duration::from_secs(30));
    (app, window)
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn editor_window_shows_curves_and_live_meters() {
    let display = Display::open();
    let settings = [
        "eq1_on=On",
        "eq1_freq=60",
        "eq2_on=On",
        "eq2_type=Bell",
        "eq2_gain=4",
        "eq2_q=0.9",
        "eq2_freq=180",
        "eq2_place=Mid",
        "eq5_on=On",
        "eq5_gain=-3.5",
        "eq5_freq=2500",
        "eq5_q=2",
        "eq7_on=On",
        "eq7_gain=3",
        "eq7_freq=9000",
        "eq7_place=Side",
        "comp_on=On",
        "comp_thresh=-24",
        "in_gain=6",
    ];
    let args: Vec<&str> = settings.iter().flat_map(|s| ["--set", s]).collect();
    let (_app, window) = launch(&display, &args);
    // Let the meters and the analyzer fill (the signal and the meters run in real time).
    std::thread::sleep(Duration::from_secs(4));

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("editor.png");
    let status = display
        .command("import")
        .args(["-window", &window, shot.to_str().unwrap()])
        .status()
        .expect("import (imagemagick)");
    assert!(status.success(), "import failed");
    println!("screenshot: {}", shot.canonicalize().unwrap().display());
    if let Ok(extra) = std::env::var("STRATA_SCREENSHOT") {
        std::fs::copy(&shot, &extra).unwrap();
        println!("copied to {extra}");
    }

    let (width, height, pixels) = read_png(&shot);
    assert_eq!((width, height), (1100, 740), "the editor's default size");
    let distinct: HashSet<[u8; 3]> = pixels.iter().copied().collect();
    let background =
        count_near(&pixels, [0x16, 0x18, 0x1d]) + count_near(&pixels, [0x1f, 0x22, 0x29]);
    // Band colours of the enabled bands 1, 2, 5, 7 and the meters' green.
    let colour_counts = [
        ("band 1", [0xef, 0x53, 0x50]),
        ("band 2", [0xff, 0xa7, 0x26]),
        ("band 5", [0x26, 0xc6, 0xda]),
        ("band 7", [0xab, 0x47, 0xbc]),
        ("meter green", [0x66, 0xbb, 0x6a]),
    ]
    .map(|(name, rgb)| (name, count_near(&pixels, rgb)));
    println!(
        "{width}×{height}, {} distinct colours, {:.0} % background; {colour_counts:?}",
        distinct.len(),
        100.0 * background as f64 / pixels.len() as f64
    );
    assert!(
        distinct.len() > 500,
        "only {} colours: blank window?",
        distinct.len()
    );
    assert!(
        background < pixels.len() * 8 / 10,
        "mostly background: nothing drawn?"
    );
    for (name, count) in colour_counts {
        assert!(count > 30, "{name}: {count} pixels");
    }
    // The meters are tall bars: thousands of green pixels once audio flows.
    assert!(
        colour_counts[4].1 > 5000,
        "meters not lit: {:?}",
        colour_counts[4]
    );
}

/// With silence in, the open editor must stop repainting once the meters have fallen: its
/// process then costs about what the headless run costs (the audio thread's few percent), where
/// a repaint loop would take a large share of a core (software rendering here).
#[test]
fn open_editor_idles_in_silence() {
    let display = Display::open();
    let (app, _window) = launch(&display, &["--input-device", "silence"]);
    std::thread::sleep(Duration::from_secs(2));
    let pid = app.0.id();
    let (cpu0, t0) = (cpu_seconds(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(5));
    let share = (cpu_seconds(pid) - cpu0) / t0.elapsed().as_secs_f64();
    println!("open editor, silence: {:.1} % of a core", 100.0 * share);
    assert!(
        share < 0.15,
        "{:.1} % of a core: the editor keeps repainting",
        100.0 * share
    );
}
