#!/usr/bin/env python3
"""Desktop app benchmark (by hand, not in CI): a 100,000-image library in the real app.

    E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build          # debug build
    VITRINE_E2E_PROFILE=release E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build

(scripts/e2e provides Xvfb, the private D-Bus session and NO_AT_BRIDGE.) Measures, for an
empty library and for the 100k one, in the same run:
  - launch → first screen of thumbnails painted (every <img> in view complete, naturalWidth > 0)
  - scrolling 10,000 rows of the grid at constant speed: frame times from requestAnimationFrame
  - memory: total PSS of the app + WebKitWebProcess + WebKitNetworkProcess after the scroll
Anchors measured in the same run: the empty library (first paint, memory) and the window's idle
frame interval (a scroll frame over 1.5x it is a dropped frame). BENCH_LAYOUTS=square,whole+captions
scrolls the 100k library in each grid layout (View menu), compared with the first. The app picks its rendering
(src-tauri/app/rendering.rs); VITRINE_RENDERING=gpu|cpu in the environment measures the other.
The synthetic library is built once under target/app-bench-lib (catalog rows and thumbnails
written with sqlite3, thumbnails reused from a few real photos imported by the CLI).
Results: printed, and written to target/app-bench.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import APP, CLI, ROOT, App, log, photos, rendering, settle, window_id, window_png  # noqa: E402

N = int(os.environ.get("BENCH_IMAGES", "100000"))
ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
SCROLL_SECONDS = float(os.environ.get("BENCH_SCROLL_SECONDS", "10"))
BIG = os.path.join(ROOT, "target", "app-bench-lib", f"n{N}")


def thumb_key(sha256: str, size_bit: int = 1) -> int:
    """src-tauri/thumbs/cache.rs `key`: 62 bits of the hash + the size bit, as a signed i64."""
    k = (int(sha256[:16], 16) & ~0b11) | size_bit
    return k - (1 << 64) if k >= (1 << 63) else k


def build_library(path: str, n: int) -> None:
    if os.path.exists(os.path.join(path, ".complete")):
        return
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    t0 = time.monotonic()
    # The schema, by the real CLI.
    subprocess.run([CLI, "--library", path, "ls"], check=True, capture_output=True)
    # A handful of real grid thumbnails: import a few photos into a scratch library.
    scratch = tempfile.mkdtemp(prefix="vitrine-bench-")
    try:
        subprocess.run([CLI, "--library", scratch, "import", *photos(12, os.path.join(scratch, "gen"))],
                       check=True, capture_output=True)
        with sqlite3.connect(os.path.join(scratch, "thumbs.db")) as t:
            thumbs = t.execute("SELECT mime, width, height, data FROM thumbs WHERE key & 3 = 1").fetchall()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not thumbs:
        sys.exit("no grid thumbnails came out of the scratch import")

    base_ms = 1_700_000_000_000
    cat = sqlite3.connect(os.path.join(path, "catalog.db"))
    th = sqlite3.connect(os.path.join(path, "thumbs.db"))
    th.execute("PRAGMA journal_mode=WAL")
    cat.execute("BEGIN")
    th.execute("BEGIN")
    rows, fts, blobs = [], [], []
    for i in range(n):
        sha = hashlib.sha256(f"vitrine-bench-{i}".encode()).hexdigest()
        mime, w, h, data = thumbs[i % len(thumbs)]
        name = f"bench-{i:06d}.jpg"
        seq = i + 1
        rows.append((seq, f"01BENCH{i:019d}", sha, name, "jpeg", "image/jpeg", "jpg", 200_000 + i, w * 10, h * 10,
                     "managed", f"{sha[:2]}/{sha[2:4]}/{sha}.jpg", "file", base_ms + i * 1000, base_ms + i * 1000))
        fts.append((seq, name))
        blobs.append((thumb_key(sha), mime, w, h, data))
        if len(rows) == 10_000 or i == n - 1:
            cat.executemany(
                "INSERT INTO images (seq, id, sha256, filename, format, mime, ext, bytes, width, height, storage, path,"
                " source_kind, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            cat.executemany("INSERT INTO images_fts (rowid, filename, prompt, negative_prompt, model, tags, extra)"
                            " VALUES (?, ?, NULL, NULL, NULL, '', '')", fts)
            th.executemany("INSERT INTO thumbs (key, mime, width, height, data) VALUES (?,?,?,?,?)", blobs)
            rows, fts, blobs = [], [], []
    cat.commit()
    th.commit()
    cat.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    th.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cat.close()
    th.close()
    # The CLI must agree.
    got = json.loads(subprocess.run([CLI, "--library", path, "--json", "stats"], check=True,
                                    capture_output=True, text=True).stdout)
    if got.get("images") != n:
        sys.exit(f"synthetic library: CLI stats says {got.get('images')} images, expected {n}")
    open(os.path.join(path, ".complete"), "w").close()
    log(f"built a {n}-image library in {time.monotonic() - t0:.1f} s at {os.path.relpath(path, ROOT)}")


FIRST_PAINT_JS = """
const n = arguments[0];
const done = arguments[arguments.length - 1];
const grid = () => document.querySelector('[data-testid=grid]');
function check() {
  const empty = document.querySelector('[data-testid=empty-state]');
  if (empty && n === 0) return true;
  const g = grid();
  if (!g) return false;
  const vh = window.innerHeight;
  const imgs = [...g.querySelectorAll('img')].filter(i => {
    const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < vh; });
  return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);
}
function tick() {
  if (check()) {
    // two frames later the screen shows it
    requestAnimationFrame(() => requestAnimationFrame(() => done({
      painted_ms: performance.now(),
      dom_content_loaded_ms: performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart,
      images: grid() ? grid().querySelectorAll('img').length : 0,
      total: grid() ? Number(grid().dataset.total) : 0})));
  } else requestAnimationFrame(tick);
}
tick();
"""

SCROLL_JS = """
const [rows, seconds] = [arguments[0], arguments[1]];
const done = arguments[arguments.length - 1];
const g = document.querySelector('[data-testid=grid]');
const tops = [...new Set([...g.querySelectorAll('[data-testid=cell]')].map(c => Math.round(c.getBoundingClientRect().top)))].sort((a, b) => a - b);
const rowH = tops.length > 1 ? tops[1] - tops[0] : 200;
const distance = rows * rowH;
const start = g.scrollTop, frames = [];
let t0 = null, last = null;
function step(now) {
  if (t0 === null) { t0 = now; last = now; }
  else { frames.push(now - last); last = now; }
  const f = Math.min(1, (now - t0) / (seconds * 1000));
  g.scrollTop = start + f * distance;
  if (f < 1) requestAnimationFrame(step);
  else done({frames, rowH, distance, scrolled: g.scrollTop - start,
             cells: g.querySelectorAll('[data-testid=cell]').length});
}
requestAnimationFrame(step);
"""


IDLE_FRAMES_JS = """
const done = arguments[arguments.length - 1];
const fr = []; let last = null; const t0 = performance.now();
function step(now) {
  if (last !== null) fr.push(now - last);
  last = now;
  if (now - t0 < 2000) requestAnimationFrame(step); else done(fr);
}
requestAnimationFrame(step);
"""



class Presented:
    """The frames the window really put on the X server while it runs: every update of the
    window's pixels, seen through the X DAMAGE extension (python-xlib, `pip install
    python-xlib`). requestAnimationFrame times say when the page's frames ran; these say when the
    screen changed."""

    def __init__(self) -> None:
        from Xlib import display  # type: ignore
        from Xlib.ext import damage  # type: ignore

        self.d = display.Display()
        self.d.damage_query_version()
        win = self.d.create_resource_object("window", int(window_id()))
        self.dmg = win.damage_create(damage.DamageReportNonEmpty)
        self.d.flush()
        self.notify = self.d.extension_event.DamageNotify
        self.times: list[float] = []
        self.recording = False
        self.done = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done:
            # Sleep on the X socket (a polling loop would take CPU from the app on 2 cores).
            select.select([self.d.fileno()], [], [], 0.2)
            got = False
            while self.d.pending_events():
                e = self.d.next_event()
                if e.type == self.notify:
                    got = True
            if got:
                if self.recording:
                    self.times.append(time.monotonic())
                self.d.damage_subtract(self.dmg)
                self.d.flush()

    def start(self) -> None:
        self.times = []
        self.recording = True

    def stop(self) -> list[float]:
        """Intervals between presented frames, in ms."""
        self.recording = False
        t = self.times
        return [(b - a) * 1000 for a, b in zip(t, t[1:])]

    def close(self) -> None:
        self.done = True
        self.thread.join(timeout=2)
        self.d.close()


def presented_frames() -> "Presented | None":
    try:
        return Presented()
    except Exception as e:  # no python-xlib, or no DAMAGE extension
        log(f"presented frames not measured ({type(e).__name__}: {e}); pip install python-xlib")
        return None


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# Grid layouts to scroll (BENCH_LAYOUTS, comma-separated): the default square grid, and the
# whole-picture layout with a caption line under each tile (View → Layout / Captions).
LAYOUTS = {
    "square": {"size": 200, "layout": "square", "captions": "none"},
    "whole+captions": {"size": 200, "layout": "aspect", "captions": "name"},
}
BENCH_LAYOUTS = [x for x in os.environ.get("BENCH_LAYOUTS", "square").split(",") if x]


def measure(lib: str, n: int, label: str, layout: str = "square") -> dict:
    out: dict = {"library": label, "images": n, "layout": layout}
    with App(lib, log_name=f"bench-{label}") as app:
        t0 = time.monotonic()
        s = app.start()
        t_session = time.monotonic() - t0
        if layout != "square":
            # The app reads its grid preferences at start: store them, then load the page again.
            s.execute("localStorage.setItem('vitrine.prefs.v1', JSON.stringify({grid: arguments[0]})); location.reload();",
                      LAYOUTS[layout])
            time.sleep(1)
        r = s.execute_async(FIRST_PAINT_JS, n, timeout=120)
        out["session_s"] = round(t_session, 3)
        out["launch_to_painted_s"] = round(time.monotonic() - t0, 3)
        out["page_painted_ms"] = round(r["painted_ms"], 1)
        out["first_screen_images"] = r["images"]
        log(f"[{label}] session up {t_session:.2f} s; first screen painted {out['launch_to_painted_s']:.2f} s after "
            f"launch ({r['painted_ms']:.0f} ms after navigation start, {r['images']} images)")
        out["rendering"] = rendering(s)
        log(f"[{label}] rendering: {out['rendering']}")
        if n:
            time.sleep(1)  # let the first screen's work finish before the scroll
            # The anchor: the frame interval of this window when nothing changes (the display's
            # refresh as WebKit drives requestAnimationFrame). A scroll frame longer than 1.5x that
            # missed its refresh: a dropped frame.
            idle = s.execute_async(IDLE_FRAMES_JS, timeout=30)
            budget = percentile(idle, 0.5) or 1000 / 60
            screen = presented_frames()
            if screen:
                screen.start()
            sc = s.execute_async(SCROLL_JS, ROWS, SCROLL_SECONDS, timeout=SCROLL_SECONDS * 6 + 60)
            fr = sc["frames"]
            shown: list[float] = []
            if screen:
                shown = screen.stop()
                screen.close()
            out["scroll"] = {
                "rows": ROWS, "row_px": sc["rowH"], "px": sc["distance"], "seconds": SCROLL_SECONDS,
                "idle_frame_ms": round(budget, 1),
                "frames": len(fr), "p50_ms": round(percentile(fr, 0.5), 1), "p95_ms": round(percentile(fr, 0.95), 1),
                "max_ms": round(max(fr), 1), "dropped": sum(1 for x in fr if x > 1.5 * budget),
                "p50_vs_idle": round(percentile(fr, 0.5) / budget, 2),
                "cells_rendered": sc["cells"]}
            if shown:
                out["scroll"]["presented"] = {
                    "frames": len(shown) + 1, "per_s": round((len(shown) + 1) / SCROLL_SECONDS, 1),
                    "p50_ms": round(percentile(shown, 0.5), 1), "p95_ms": round(percentile(shown, 0.95), 1),
                    "max_ms": round(max(shown), 1), "dropped": sum(1 for x in shown if x > 1.5 * budget)}
            log(f"[{label}] scroll: {out['scroll']}")
            t1 = time.monotonic()
            s.execute_async(FIRST_PAINT_JS, n, timeout=60)
            out["after_scroll_painted_s"] = round(time.monotonic() - t1, 3)
            settle(s)
        else:
            time.sleep(1 + SCROLL_SECONDS / 5)
        pids = app.pids()
        mem = {f"{name}:{pid}": pss_kb(pid) for pid, name in pids.items()}
        out["pss_kb"] = mem
        out["pss_total_mb"] = round(sum(mem.values()) / 1024, 1)
        log(f"[{label}] PSS {out['pss_total_mb']} MB: {mem}")
        # Again after 10 s idle: what stays once WebKit's collectors have run.
        time.sleep(10)
        idle = {f"{name}:{pid}": pss_kb(pid) for pid, name in app.pids().items()}
        out["pss_idle_total_mb"] = round(sum(idle.values()) / 1024, 1)
        log(f"[{label}] PSS after 10 s idle {out['pss_idle_total_mb']} MB: {idle}")
        window_png(os.path.join(ROOT, "target", f"app-bench-{label}.png"))
    return out


def main() -> int:
    if not os.environ.get("DISPLAY"):
        sys.exit("no DISPLAY: run as  E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build")
    log(f"app: {os.path.relpath(APP, ROOT)}")
    build_library(BIG, N)
    empty = tempfile.mkdtemp(prefix="vitrine-bench-empty-")
    try:
        subprocess.run([CLI, "--library", empty, "ls"], check=True, capture_output=True)
        results = [measure(empty, 0, "empty")] + [measure(BIG, N, f"{N // 1000}k", layout) for layout in BENCH_LAYOUTS]
    finally:
        shutil.rmtree(empty, ignore_errors=True)
    delta = results[1]["pss_total_mb"] - results[0]["pss_total_mb"]
    paint_ratio = results[1]["launch_to_painted_s"] / results[0]["launch_to_painted_s"]
    log(f"first screen: {results[1]['library']} {results[1]['launch_to_painted_s']:.2f} s vs empty "
        f"{results[0]['launch_to_painted_s']:.2f} s = {paint_ratio:.2f}x")
    idle_delta = results[1]["pss_idle_total_mb"] - results[0]["pss_idle_total_mb"]
    log(f"PSS after 10 s idle: {results[1]['library']} - empty = {idle_delta:.1f} MB")
    summary = {"app": os.path.relpath(APP, ROOT), "cores": os.cpu_count(), "runs": results,
               "pss_delta_mb": round(delta, 1), "pss_idle_delta_mb": round(idle_delta, 1),
               "first_paint_vs_empty": round(paint_ratio, 2)}
    path = os.path.join(ROOT, "target", "app-bench.json")
    with open(path, "w") as f:
        json.dump(summary, f, indent=2)
    for r in results[2:]:
        log(f"layout {r['layout']}: scroll p50 {r['scroll']['p50_ms']} ms vs {results[1]['layout']} "
            f"{results[1]['scroll']['p50_ms']} ms = {r['scroll']['p50_ms'] / results[1]['scroll']['p50_ms']:.2f}x; "
            f"dropped {r['scroll']['dropped']} vs {results[1]['scroll']['dropped']}")
    log(f"PSS {results[1]['library']} - empty = {delta:.1f} MB; results in {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
