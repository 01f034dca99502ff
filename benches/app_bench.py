#!/usr/bin/env python3
"""Desktop app benchmark (by hand, not in CI): a 100,000-image library in the real app.

    E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build          # debug build
    VITRINE_E2E_PROFILE=release E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build

(scripts/e2e provides Xvfb, the private D-Bus session and NO_AT_BRIDGE.) Measures, for an
empty library and for the 100k one, in the same run:
  - launch → first screen of thumbnails painted (every <img> in view complete, naturalWidth > 0),
    in the measured run and BENCH_FIRST_SCREEN_RUNS (3) more launches of each library, alternating:
    the ratio of the medians is `first_paint_vs_empty_median`
  - scrolling 10,000 rows of the grid at constant speed: frame times from requestAnimationFrame
  - memory: total PSS of the app + WebKitWebProcess + WebKitNetworkProcess after the scroll
Anchors measured in the same run: the empty library (first paint, memory), the window's idle
frame interval (a scroll frame over 1.5x it is a dropped frame), and (issue 17) a minimal grid
in the same page and window scrolling the same rows and thumbnails with the least work a
virtualized grid can do: Vitrine's frames are reported as ratios to it (`vs_anchor`).
BENCH_IMAGES=1000000 builds and measures a million-image library (thumbnails for the newest
BENCH_THUMBS); BENCH_PERF=1 records `perf` of the app's processes during each scroll. BENCH_LAYOUTS=square,whole+captions
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
# Grid thumbnails are written for the newest THUMBS images only (the ones a 10,000-row scroll
# from the top can reach): a million of them would take 13 GB of disk for nothing.
THUMBS = min(N, int(os.environ.get("BENCH_THUMBS", "200000")))
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
        if i >= n - THUMBS:
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
const [rows, seconds, selector] = [arguments[0], arguments[1], arguments[2]];
const done = arguments[arguments.length - 1];
const g = document.querySelector(selector);
const tops = [...new Set([...g.querySelectorAll('[data-testid=cell]')].map(c => Math.round(c.getBoundingClientRect().top)))].sort((a, b) => a - b);
const rowH = tops.length > 1 ? tops[1] - tops[0] : 200;
// A list taller than the grid's spacer maps each spacer px onto `data-scale` px of rows
// (ui's MAX_SCROLL_PX, a million images): scroll `rows` rows of the list, not of the spacer.
const scale = Number(g.dataset.scale || 1);
const distance = rows * rowH / scale;
const start = g.scrollTop, frames = [];
let t0 = null, last = null;
function step(now) {
  if (t0 === null) { t0 = now; last = now; }
  else { frames.push(now - last); last = now; }
  const f = Math.min(1, (now - t0) / (seconds * 1000));
  g.scrollTop = start + f * distance;
  if (f < 1) requestAnimationFrame(step);
  else done({frames, rowH, distance, scale, scrolled: g.scrollTop - start,
             cells: g.querySelectorAll('[data-testid=cell]').length});
}
requestAnimationFrame(step);
"""


# The anchor (issue 17): the least work a virtualized grid can do, in the same page of the same
# WebKit, window size and rendering mode. It copies the geometry of Vitrine's grid (its box,
# cells, columns and rows, the same rounded cells and placeholder colour) and the thumbnails
# Vitrine's first screen shows, decoded before the scroll starts; the app is hidden
# (display: none) while it runs. Each row has a fixed slot (row % pool rows): a row that scrolls
# in rewrites only its own cells' transform and src, from the scroll event itself. No framework,
# no reactive state, no per-frame work but that.
ANCHOR_SETUP_JS = """
const done = arguments[arguments.length - 1];
const g = document.querySelector('[data-testid=grid]');
const box = g.getBoundingClientRect();
const cells = [...g.querySelectorAll('[data-testid=cell]')];
const rects = cells.map(c => c.getBoundingClientRect());
const lefts = [...new Set(rects.map(r => Math.round(r.left)))].sort((a, b) => a - b);
const tops = [...new Set(rects.map(r => Math.round(r.top)))].sort((a, b) => a - b);
const colW = lefts.length > 1 ? lefts[1] - lefts[0] : rects[0].width;
const rowH = tops.length > 1 ? tops[1] - tops[0] : rects[0].height;
const x0 = lefts[0] - box.left, y0 = tops[0] - box.top + g.scrollTop;
const cellW = rects[0].width, cellH = rects[0].height;
const cols = lefts.length, total = Number(g.dataset.total);
// The thumbnails on Vitrine's first screen, in grid order (the pictures repeat down the grid).
const byIndex = cells.map(c => [Number(c.dataset.index), c.querySelector('img')])
  .filter(([, i]) => i && i.complete && i.naturalWidth > 0).sort((a, b) => a[0] - b[0]);
const srcs = byIndex.map(([, i]) => i.currentSrc || i.src);
const cs = getComputedStyle(cells[0]);
window.__anchorHidden = [...document.body.children].map(e => [e, e.style.display]);
for (const [e] of window.__anchorHidden) e.style.display = 'none';
const root = document.createElement('div');
root.dataset.testid = 'anchor-grid';
root.style.cssText = `position:fixed;left:${box.left}px;top:${box.top}px;width:${box.width}px;` +
  `height:${box.height}px;overflow-y:auto;overflow-x:hidden;contain:strict;background:${getComputedStyle(document.body).backgroundColor}`;
const content = document.createElement('div');
const rowsTotal = Math.ceil(total / cols);
content.style.cssText = `position:relative;width:100%;height:${2 * y0 + rowsTotal * rowH}px;contain:strict`;
root.appendChild(content);
const poolRows = Math.ceil(box.height / rowH) + 1;
const slots = [];
for (let r = 0; r < poolRows; r++) {
  const row = [];
  for (let c = 0; c < cols; c++) {
    const cell = document.createElement('div');
    cell.dataset.testid = 'cell';
    cell.style.cssText = `position:absolute;top:0;left:0;width:${cellW}px;height:${cellH}px;` +
      `border-radius:${cs.borderRadius};overflow:hidden;contain:strict;background-color:${cs.backgroundColor}`;
    const img = document.createElement('img');
    img.width = Math.round(cellW); img.height = Math.round(cellW);
    img.style.cssText = 'display:block;width:100%;height:100%;object-fit:cover';
    cell.appendChild(img);
    content.appendChild(cell);
    row.push([cell, img]);
  }
  slots.push({ row: -1, cells: row });
}
function place(first) {
  for (let row = first; row < Math.min(first + poolRows, rowsTotal); row++) {
    const slot = slots[row % poolRows];
    if (slot.row === row) continue;
    slot.row = row;
    for (let c = 0; c < cols; c++) {
      const [cell, img] = slot.cells[c];
      const i = row * cols + c;
      cell.style.transform = `translate3d(${x0 + c * colW}px,${y0 + row * rowH}px,0)`;
      const src = srcs[i % srcs.length];
      if (img.getAttribute('src') !== src) img.src = src;
    }
  }
}
root.addEventListener('scroll', () => place(Math.max(0, Math.floor((root.scrollTop - y0) / rowH))), { passive: true });
document.body.appendChild(root);
place(0);
// Every picture decoded before the scroll: the least a grid can do per frame.
Promise.all(slots.flatMap(s => s.cells.map(([, img]) => img.decode().catch(() => null)))).then(() =>
  requestAnimationFrame(() => requestAnimationFrame(() => done({
    cols, rowH, cellW, cellH, poolRows, cells: poolRows * cols, pictures: new Set(srcs).size}))));
"""

ANCHOR_TEARDOWN_JS = """
document.querySelector('[data-testid=anchor-grid]')?.remove();
for (const [e, d] of window.__anchorHidden || []) e.style.display = d;
window.__anchorHidden = null;
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


def scroll(s, selector: str, budget: float, app: "App | None" = None, label: str = "") -> dict:
    """Scrolls ROWS rows of the grid under `selector` in SCROLL_SECONDS at constant speed: page
    frames (requestAnimationFrame) and the frames the window presented (X DAMAGE). With
    BENCH_PERF=1, `perf record` samples the app's processes meanwhile (target/app-bench-<label>.perf)."""
    screen = presented_frames()
    prof = None
    if os.environ.get("BENCH_PERF") and app is not None:
        data = os.path.join(ROOT, "target", f"app-bench-{label}.perf")
        pids = ",".join(str(p) for p in app.pids())
        prof = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", data, "-p", pids],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    if screen:
        screen.start()
    sc = s.execute_async(SCROLL_JS, ROWS, SCROLL_SECONDS, selector, timeout=SCROLL_SECONDS * 6 + 60)
    if prof:
        prof.send_signal(2)
        prof.wait(timeout=60)
    fr = sc["frames"]
    shown: list[float] = []
    if screen:
        shown = screen.stop()
        screen.close()
    out = {
        "rows": ROWS, "row_px": sc["rowH"], "px": sc["distance"], "scale": sc["scale"], "seconds": SCROLL_SECONDS,
        "idle_frame_ms": round(budget, 1),
        "frames": len(fr), "p50_ms": round(percentile(fr, 0.5), 1), "p95_ms": round(percentile(fr, 0.95), 1),
        "max_ms": round(max(fr), 1), "dropped": sum(1 for x in fr if x > 1.5 * budget),
        "p50_vs_idle": round(percentile(fr, 0.5) / budget, 2),
        "cells_rendered": sc["cells"], "scrolled_px": round(sc["scrolled"])}
    if shown:
        out["presented"] = {
            "frames": len(shown) + 1, "per_s": round((len(shown) + 1) / SCROLL_SECONDS, 1),
            "p50_ms": round(percentile(shown, 0.5), 1), "p95_ms": round(percentile(shown, 0.95), 1),
            "max_ms": round(max(shown), 1), "dropped": sum(1 for x in shown if x > 1.5 * budget)}
    return out


def ratios(vitrine: dict, anchor: dict) -> dict:
    """Vitrine's scroll as ratios to the anchor's in the same session (issue 17's targets: frame
    time within 1.1x, no more dropped frames)."""
    r = {"p50": round(vitrine["p50_ms"] / anchor["p50_ms"], 2),
         "p95": round(vitrine["p95_ms"] / anchor["p95_ms"], 2),
         "frames": round(vitrine["frames"] / anchor["frames"], 2),
         "dropped": [vitrine["dropped"], anchor["dropped"]]}
    if "presented" in vitrine and "presented" in anchor:
        v, a = vitrine["presented"], anchor["presented"]
        r["presented_frames"] = round(v["frames"] / a["frames"], 2)
        r["presented_p50"] = round(v["p50_ms"] / a["p50_ms"], 2)
        r["presented_dropped"] = [v["dropped"], a["dropped"]]
    return r


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
            out["scroll"] = scroll(s, "[data-testid=grid]", budget, app, label)
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
        if n:
            # The anchor, in the same window and session, after Vitrine's own measurements: from
            # the first screen (its geometry and thumbnails), back at the top.
            s.execute("document.querySelector('[data-testid=grid]').scrollTop = 0")
            s.execute_async(FIRST_PAINT_JS, n, timeout=60)
            info = s.execute_async(ANCHOR_SETUP_JS, timeout=60)
            time.sleep(1)
            idle = s.execute_async(IDLE_FRAMES_JS, timeout=30)
            budget = percentile(idle, 0.5) or 1000 / 60
            out["anchor"] = {**scroll(s, "[data-testid=anchor-grid]", budget, app, f"{label}-anchor"), "grid": info}
            window_png(os.path.join(ROOT, "target", f"app-bench-{label}-anchor.png"))
            s.execute(ANCHOR_TEARDOWN_JS)
            out["vs_anchor"] = ratios(out["scroll"], out["anchor"])
            log(f"[{label}] anchor: {out['anchor']}")
            log(f"[{label}] Vitrine / anchor: {out['vs_anchor']}")
    return out


# Launches of each library, alternating, for the first screen's ratio to the empty app: one launch
# of each moved the ratio by up to 0.5 (the empty app alone took 0.66-1.44 s from launch to
# painted), mostly in the WebDriver session's start, not in the app.
FIRST_SCREEN_RUNS = int(os.environ.get("BENCH_FIRST_SCREEN_RUNS", "3"))


def launch_to_painted(lib: str, n: int, label: str) -> float:
    """Seconds from launching the app on `lib` to its first screen painted (as `measure` does)."""
    with App(lib, log_name=f"bench-{label}-launch") as app:
        t0 = time.monotonic()
        s = app.start()
        s.execute_async(FIRST_PAINT_JS, n, timeout=120)
        return round(time.monotonic() - t0, 3)


def first_screens(empty: str, big: str, n: int) -> dict:
    """FIRST_SCREEN_RUNS more launches of each library, alternating which goes first."""
    launches: dict = {"empty": [], "big": []}
    for i in range(FIRST_SCREEN_RUNS):
        order = [("empty", empty, 0), ("big", big, n)]
        for key, lib, count in (order if i % 2 else order[::-1]):
            launches[key].append(launch_to_painted(lib, count, f"{key}-{i}"))
    return launches


def main() -> int:
    if not os.environ.get("DISPLAY"):
        sys.exit("no DISPLAY: run as  E2E_SCRIPT=benches/app_bench.py scripts/e2e --no-build")
    log(f"app: {os.path.relpath(APP, ROOT)}")
    build_library(BIG, N)
    empty = tempfile.mkdtemp(prefix="vitrine-bench-empty-")
    try:
        subprocess.run([CLI, "--library", empty, "ls"], check=True, capture_output=True)
        results = [measure(empty, 0, "empty")] + [measure(BIG, N, f"{N // 1000}k", layout) for layout in BENCH_LAYOUTS]
        launches = first_screens(empty, BIG, N)
    finally:
        shutil.rmtree(empty, ignore_errors=True)
    delta = results[1]["pss_total_mb"] - results[0]["pss_total_mb"]
    paint_ratio = results[1]["launch_to_painted_s"] / results[0]["launch_to_painted_s"]
    log(f"first screen: {results[1]['library']} {results[1]['launch_to_painted_s']:.2f} s vs empty "
        f"{results[0]['launch_to_painted_s']:.2f} s = {paint_ratio:.2f}x")
    idle_delta = results[1]["pss_idle_total_mb"] - results[0]["pss_idle_total_mb"]
    log(f"PSS after 10 s idle: {results[1]['library']} - empty = {idle_delta:.1f} MB")
    # The measured runs' launches and the extra ones: medians of each.
    launches["empty"].append(results[0]["launch_to_painted_s"])
    launches["big"].append(results[1]["launch_to_painted_s"])
    median_ratio = statistics.median(launches["big"]) / statistics.median(launches["empty"])
    log(f"first screen over {len(launches['big'])} launches each: {results[1]['library']} "
        f"{launches['big']} s vs empty {launches['empty']} s; medians {median_ratio:.2f}x")
    summary = {"app": os.path.relpath(APP, ROOT), "cores": os.cpu_count(), "runs": results,
               "pss_delta_mb": round(delta, 1), "pss_idle_delta_mb": round(idle_delta, 1),
               "first_paint_vs_empty": round(paint_ratio, 2),
               "first_screen_launches_s": launches,
               "first_paint_vs_empty_median": round(median_ratio, 2)}
    path = os.path.join(ROOT, "target", "app-bench.json")
    with open(path, "w") as f:
        json.dump(summary, f, indent=2)
    for r in results[2:]:
        log(f"layout {r['layout']}: scroll p50 {r['scroll']['p50_ms']} ms vs {results[1]['layout']} "
            f"{results[1]['scroll']['p50_ms']} ms = {r['scroll']['p50_ms'] / results[1]['scroll']['p50_ms']:.2f}x; "
            f"dropped {r['scroll']['dropped']} vs {results[1]['scroll']['dropped']}")
    for r in results[1:]:
        if "vs_anchor" in r:
            v = r["vs_anchor"]
            log(f"{r['library']} {r['layout']} ({r['rendering']}): Vitrine / anchor: frame p50 {v['p50']}x, p95 {v['p95']}x, "
                f"page frames {v['frames']}x, dropped {v['dropped'][0]} vs {v['dropped'][1]}"
                + (f"; presented frames {v['presented_frames']}x, dropped {v['presented_dropped'][0]} vs "
                   f"{v['presented_dropped'][1]}" if "presented_frames" in v else ""))
    log(f"PSS {results[1]['library']} - empty = {delta:.1f} MB; results in {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
