"""What the E2E scenario and the app benchmark share: paths, the CLI, the app under WebDriver,
screenshots, test images, loopback HTTP servers. Python 3 stdlib only."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Session, TauriDriver, free_port, process_descendants, process_name, wait_until  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
E2E_DIR = os.path.join(ROOT, "tests", "e2e")
PROFILE = os.environ.get("VITRINE_E2E_PROFILE", "debug")
# Cargo's output folder: CI keeps it outside the clone (CARGO_TARGET_DIR).
TARGET = os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"))
APP = os.environ.get("VITRINE_E2E_APP") or os.path.join(TARGET, PROFILE, "vitrine-app")
# The CLI of the same build as the app (a release bench drives the release CLI), else the debug one.
CLI = os.environ.get("VITRINE_E2E_CLI") or next(
    (p for p in (os.path.join(TARGET, PROFILE, "vitrine"), os.path.join(TARGET, "debug", "vitrine")) if os.path.exists(p)),
    os.path.join(TARGET, "debug", "vitrine"))
SHOTS = os.path.join(ROOT, "target", "e2e-screenshots")
UI_DIST = os.path.join(ROOT, "ui", "dist")
DEV_PORT = 5173  # tauri.conf.json build.devUrl
CORPUS_PHOTOS = os.path.expanduser("~/.cache/vitrine-corpus/photos")
GI_PYTHON = "/usr/bin/python3"  # Debian's Python: the one with PyGObject
WINDOW_NAME = "^Vitrine$"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def require_display() -> None:
    if not os.environ.get("DISPLAY"):
        sys.exit("no DISPLAY: run through scripts/e2e (it wraps the test in xvfb-run)")
    for p, what in ((APP, "the app (cargo build --bin vitrine-app)"), (CLI, "the CLI (cargo build --bin vitrine)")):
        if not os.path.exists(p):
            sys.exit(f"{p} is missing: build {what}, or run scripts/e2e")


# --- the CLI -------------------------------------------------------------------------------
def cli(lib: str, *args: str, check: bool = True) -> Any:
    """Runs `vitrine --library LIB --json ARGS`; returns the parsed JSON (a list for
    line-per-item output)."""
    r = subprocess.run([CLI, "--library", lib, "--json", *args], capture_output=True, text=True, timeout=120)
    if check and r.returncode not in (0, 1):
        raise AssertionError(f"vitrine {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    out = r.stdout.strip()
    if not out:
        if check and r.returncode != 0:
            raise AssertionError(f"vitrine {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        return json.loads(out)
    except ValueError:
        return [json.loads(line) for line in out.splitlines() if line.strip()]


# --- screenshots ---------------------------------------------------------------------------
class Shots:
    """Numbered screenshots under target/e2e-screenshots (emptied at start)."""

    def __init__(self, directory: str = SHOTS):
        self.dir = directory
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)
        self.n = 0
        self.taken: list[str] = []

    def _path(self, name: str) -> str:
        self.n += 1
        p = os.path.join(self.dir, f"{self.n:02d}-{name}.png")
        self.taken.append(p)
        return p

    def page(self, s: Session, name: str) -> str:
        """The app's window as the X server shows it, once the images in view are decoded and
        two frames have gone by (an <img> fires `load` before it is decoded and painted)."""
        settle(s)
        p = self._path(name)
        window_png(p)
        log(f"screenshot {os.path.relpath(p, ROOT)}")
        return p

    def screen(self, name: str) -> str:
        """The whole X screen (shows OS-level state: other windows, the drag source)."""
        p = self._path(name + "-screen")
        # Never `-window ""`: an empty id enters click-to-select mode and freezes X clients.
        subprocess.run(["/usr/bin/import", "-window", "root", p], check=True, timeout=30)
        log(f"screenshot {os.path.relpath(p, ROOT)}")
        return p


def window_png(path: str) -> str:
    """The app's window, captured from the X server: what a user sees. (WebDriver's own
    screenshot never answers when WebKit paints without compositing, as the app does on a
    machine with no GPU: src-tauri/app/rendering.rs.)"""
    subprocess.run(["/usr/bin/import", "-window", window_id(), path], check=True, timeout=30)
    return path


def rendering(s: Session) -> str:
    """How the app says it paints (Settings → Display; src-tauri/app/rendering.rs)."""
    return s.execute_async(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('get_settings').then(v => done(v.rendering), e => done('error: ' + e));",
        timeout=30)


def settle(s: Session, timeout: float = 10) -> None:
    s.execute_async(
        """
        const done = arguments[arguments.length - 1];
        const vh = window.innerHeight, vw = window.innerWidth;
        const imgs = [...document.images].filter(i => {
          const r = i.getBoundingClientRect();
          return r.bottom > 0 && r.top < vh && r.right > 0 && r.left < vw;
        });
        const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
        const t = setTimeout(frames, arguments[0]);
        Promise.all(imgs.map(i => i.decode().catch(() => null))).then(() => { clearTimeout(t); frames(); });
        """, int(timeout * 1000), timeout=timeout + 5)


# --- test images ---------------------------------------------------------------------------
def photos(n: int, workdir: str) -> list[str]:
    """n real photos: the shared corpus when built, else JPEGs made with ImageMagick."""
    if os.path.isdir(CORPUS_PHOTOS):
        names = sorted(f for f in os.listdir(CORPUS_PHOTOS) if f.lower().endswith((".jpg", ".jpeg")))
        # the smallest files import fastest in a debug build
        names.sort(key=lambda f: os.path.getsize(os.path.join(CORPUS_PHOTOS, f)))
        if len(names) >= n:
            return [os.path.join(CORPUS_PHOTOS, f) for f in names[:n]]
    out = []
    os.makedirs(workdir, exist_ok=True)
    for i in range(n):
        p = os.path.join(workdir, f"generated-{i:02d}.jpg")
        if not os.path.exists(p):
            subprocess.run(
                ["/usr/bin/convert", "-size", "1200x800", f"plasma:hsl({i * 37 % 360},80%,50%)-hsl({(i * 37 + 120) % 360},80%,40%)",
                 "-seed", str(i), "-quality", "88", p],
                check=True, timeout=60)
        out.append(p)
    return out


def truncated_jpeg(src: str, dst: str) -> str:
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data[: max(2048, len(data) // 3)])
    return dst


# --- loopback HTTP -------------------------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):  # keep the test output readable
        pass


class StaticServer:
    """Serves a folder on 127.0.0.1 from a thread; `url(name)` gives a file's URL."""

    def __init__(self, directory: str, port: int = 0):
        handler = functools.partial(_Quiet, directory=directory)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_ui() -> Optional[StaticServer]:
    """The app embeds ui/dist when it is compiled (feature `gui` turns on tauri/custom-protocol),
    so a UI change reaches the E2E only through `npm run build` in ui/ and then `cargo build`.
    A build without that feature is a dev build that loads build.devUrl
    (http://localhost:5173) instead: serve the built ui/dist there, as `vite preview` would. If
    the port is taken (a `npm run dev` running), that server is used as it is."""
    if not os.path.exists(os.path.join(UI_DIST, "index.html")):
        sys.exit("ui/dist is not built: run scripts/setup --e2e (npm ci && npm run build in ui/)")
    try:
        return StaticServer(UI_DIST, DEV_PORT)
    except OSError:
        log(f"port {DEV_PORT} is taken: the app will load whatever serves it (a vite dev server?)")
        return None


# --- the app under WebDriver ---------------------------------------------------------------
class App:
    """tauri-driver + one WebDriver session running the app on LIB. A context manager: the
    session, the driver and everything under it are stopped on exit, even after a failure."""

    def __init__(self, lib: str, state_dir: Optional[str] = None, log_name: str = "driver"):
        self.lib = lib
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="vitrine-e2e-state-")
        env = dict(os.environ)
        # A private config/data/cache home: no window-state or WebKit cache from other runs.
        # XDG_STATE_HOME: the app's log (vitrine.log) lands in the test's own folder.
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            d = os.path.join(self.state_dir, var.lower())
            os.makedirs(d, exist_ok=True)
            env[var] = d
        env["NO_AT_BRIDGE"] = "1"  # no accessibility bus: ~3 s faster start
        env.pop("VITRINE_LIBRARY", None)
        os.makedirs(SHOTS, exist_ok=True)
        self.log_path = os.path.join(SHOTS, f"{log_name}.log")
        self.ui_server = serve_ui()
        try:
            self.driver = TauriDriver(env=env, log_path=self.log_path)
        except BaseException:
            if self.ui_server:
                self.ui_server.stop()
            raise
        self.session: Optional[Session] = None

    def start(self) -> Session:
        t0 = time.monotonic()
        self.session = Session.start(self.driver.url, APP, ["--library", self.lib])
        self.started_in = time.monotonic() - t0
        return self.session

    def pids(self) -> dict[int, str]:
        """The app and its WebKit processes: {pid: name}."""
        out = {}
        for pid in self.driver.descendants():
            name = process_name(pid)
            if name.startswith("vitrine-app") or name.startswith("WebKit"):
                if name != "WebKitWebDriver":
                    out[pid] = name
        return out

    def app_pid(self) -> Optional[int]:
        for pid, name in self.pids().items():
            if name.startswith("vitrine-app"):
                return pid
        return None

    def close(self) -> None:
        try:
            if self.session:
                self.session.quit()
        finally:
            self.session = None
            self.driver.stop()
            if self.ui_server:
                self.ui_server.stop()
                self.ui_server = None

    def __enter__(self) -> "App":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def window_id(timeout: float = 15) -> str:
    """X id of the app's window (xdotool)."""
    def probe():
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", WINDOW_NAME], capture_output=True, text=True)
        ids = r.stdout.split()
        return ids[0] if ids else None

    return wait_until("the app window to be mapped", probe, timeout)


def drop(paths: list[str], hover: float = 1.5) -> subprocess.Popen:
    """Starts a real XDND drag of PATHS onto the app window; returns the running drop.sh."""
    env = dict(os.environ, PYTHON=GI_PYTHON, NO_AT_BRIDGE="1", HOVER=str(hover))
    return subprocess.Popen([os.path.join(E2E_DIR, "drop.sh"), WINDOW_NAME, *paths], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# --- running a journey ----------------------------------------------------------------------
def run_steps(s: Session, shots: Shots, steps: list[Callable[[], None]], screen: bool = False) -> Optional[str]:
    """Runs STEPS in order, logging each with its time; stops at the first failure, which it
    prints with a screenshot of the page (and of the X screen with SCREEN). Returns why it
    failed, or None when every step passed."""
    for step in steps:
        t0 = time.monotonic()
        log(f"step {step.__name__}")
        try:
            step()
        except BaseException as e:
            traceback.print_exc()
            try:
                shots.page(s, f"FAILED-{step.__name__}")
                if screen:
                    shots.screen(f"FAILED-{step.__name__}")
            except Exception as e2:
                log(f"(no failure screenshot: {e2})")
            return f"step {step.__name__} failed: {e}"
        log(f"step {step.__name__} passed in {time.monotonic() - t0:.1f} s")
    return None


def run_journey(name: str, journey: Callable[[contextlib.ExitStack, Shots, str], Optional[str]]) -> int:
    """A test's main, once its prerequisites are checked. Screenshots go to
    target/e2e-screenshots/NAME/ (the folder itself for an empty NAME), temporary files to a fresh
    work folder. JOURNEY(stack, shots, work) starts the app and what else it needs, entering each
    into STACK (they are stopped when it returns or fails, the last started first), and returns
    what run_steps returns. The work folder is then removed (kept with VITRINE_E2E_KEEP=1) and the
    verdict printed. Returns the exit status: 0 when every step passed."""
    title = f"E2E ({name})" if name else "E2E"
    shots = Shots(os.path.join(SHOTS, name) if name else SHOTS)
    work = tempfile.mkdtemp(prefix=f"vitrine-e2e-{name}-" if name else "vitrine-e2e-")
    t_start = time.monotonic()
    failed = None
    try:
        with contextlib.ExitStack() as stack:
            try:
                failed = journey(stack, shots, work)
            except BaseException as e:
                failed = f"setup failed: {e}"
                traceback.print_exc()
    finally:
        if os.environ.get("VITRINE_E2E_KEEP"):
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - t_start
    where = os.path.relpath(shots.dir, ROOT)
    if failed:
        print(f"\n{title} FAILED after {took:.0f} s: {failed}\nscreenshots and driver log: {where}/", file=sys.stderr)
        return 1
    print(f"\n{title} passed in {took:.0f} s; {len(shots.taken)} screenshots in {where}/")
    return 0


__all__ = [
    "APP", "CLI", "ROOT", "SHOTS", "App", "Shots", "StaticServer", "cli", "drop", "free_port", "log", "photos",
    "process_descendants", "require_display", "run_journey", "run_steps", "truncated_jpeg", "wait_until", "window_id",
    "rendering", "window_png",
]
