#!/usr/bin/env python3
"""The install journey: the .deb that scripts/package built, installed with apt as a user would,
then used through its desktop entry ("Open with Vitrine"), then removed.

    scripts/e2e-install DEB [RPM]     # what scripts/test runs (xvfb, D-Bus session, keychain)

  1. `apt-get install ./vitrine_….deb`: /usr/bin/vitrine-app and /usr/bin/vitrine, the desktop entry
     (image MIME types, `Exec=… %F`), icons in every size under hicolor; both print --version
  2. the desktop entry's Exec line with two image files, as a file manager runs it: the window
     opens on the default library and both are imported (checked with the installed CLI)
  3. the Exec line again with a third file while the app runs: the second process hands it over
     and exits (single instance); the running app imports it
  4. the log file under $XDG_STATE_HOME/vitrine/ tells the story (start, library, imports)
  5. `apt-get remove vitrine`: the programs are gone, the library is still there
The RPM, when given, is checked for the same files (`rpm -qlp`). Screenshots in
target/e2e-screenshots/install/. Must run as root (apt), inside xvfb-run and a D-Bus session.
"""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SHOTS, Shots, log, photos, wait_until, window_id  # noqa: E402

APP_BIN = "/usr/bin/vitrine-app"
CLI_BIN = "/usr/bin/vitrine"
ICON_SIZES = ["16x16", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512"]
MIME_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"]


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise AssertionError(msg)
    log(f"ok: {msg.splitlines()[0]}")


def run(*cmd: str, env: dict | None = None, timeout: float = 600) -> str:
    r = subprocess.run(list(cmd), capture_output=True, text=True, env=env, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout


def apt(*args: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "-y", "-q", *args, env=env)


def desktop_entry() -> tuple[str, dict[str, str]]:
    """The installed desktop file and its [Desktop Entry] keys."""
    files = [f for f in run("dpkg", "-L", "vitrine").splitlines() if f.endswith(".desktop")]
    check(len(files) == 1 and files[0].startswith("/usr/share/applications/"), f"one desktop entry: {files}")
    keys: dict[str, str] = {}
    section = None
    with open(files[0], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Desktop Entry]" and "=" in line:
                k, v = line.split("=", 1)
                keys[k] = v
    return files[0], keys


def exec_line(keys: dict[str, str], files: list[str]) -> list[str]:
    """The Exec line as a file manager expands it: %F becomes the files, one argument each."""
    out: list[str] = []
    for word in shlex.split(keys["Exec"]):
        if word == "%F":
            out.extend(files)
        elif word in ("%f", "%u", "%U"):
            out.extend(files[:1])
        elif not (len(word) == 2 and word.startswith("%")):
            out.append(word)
    return out


def cli_ls(env: dict) -> list[dict]:
    out = subprocess.run([CLI_BIN, "ls", "--json"], capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        return []
    text = out.stdout.strip()
    if not text:
        return []
    try:
        v = json.loads(text)
        return v if isinstance(v, list) else [v]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit("usage: test_install.py DEB [RPM]")
    deb = os.path.abspath(sys.argv[1])
    rpm = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    if os.geteuid() != 0:
        sys.exit("the install journey runs apt: run it as root")
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        sys.exit("run through scripts/e2e-install (xvfb-run and a private D-Bus session)")
    shots = Shots(os.path.join(SHOTS, "install"))
    home = tempfile.mkdtemp(prefix="vitrine-install-")
    env = dict(os.environ, HOME=home, NO_AT_BRIDGE="1")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = os.path.join(home, var.lower())
    for var in ("VITRINE_LIBRARY", "VITRINE_LOG_DIR", "VITRINE_LOG"):
        env.pop(var, None)
    library = os.path.join(env["XDG_DATA_HOME"], "vitrine")
    log_dir = os.path.join(env["XDG_STATE_HOME"], "vitrine")
    app: subprocess.Popen | None = None
    installed = False
    try:
        if subprocess.run(["dpkg", "-s", "vitrine"], capture_output=True).returncode == 0:
            log("a vitrine package is installed from an earlier run: removing it first")
            apt("remove", "vitrine")

        # 1. install
        t0 = time.monotonic()
        apt("install", "--no-install-recommends", deb)
        installed = True
        log(f"installed {os.path.basename(deb)} in {time.monotonic() - t0:.1f} s")
        for b in (APP_BIN, CLI_BIN):
            check(os.access(b, os.X_OK), f"{b} is installed")
        version = run(CLI_BIN, "--version").split()[-1]
        check(run(APP_BIN, "--version").strip() == f"vitrine-app {version}", f"vitrine-app --version says {version}")
        control = run("dpkg-deb", "-f", deb, "Package", "Version", "Depends")
        check("Package: vitrine" in control and f"Version: {version}" in control, f"package name and version:\n{control}")
        check("libwebkit2gtk-4.1-0" in control, f"the runtime libraries are declared:\n{control}")
        check("-dev" not in control, f"no build-time (-dev) packages are required:\n{control}")
        path, keys = desktop_entry()
        mimes = keys.get("MimeType", "").split(";")
        check(all(m in mimes for m in MIME_TYPES), f"{path} declares the image types: {keys.get('MimeType')}")
        check(keys.get("Exec", "").split()[-1] == "%F", f"Exec passes the files (%F): {keys.get('Exec')}")
        check(shlex.split(keys["Exec"])[0] in ("vitrine-app", APP_BIN), f"Exec runs the app: {keys['Exec']}")
        check(keys.get("Type") == "Application" and keys.get("Name") == "Vitrine", f"desktop entry: {keys}")
        icon = keys.get("Icon", "")
        for size in ICON_SIZES:
            p = f"/usr/share/icons/hicolor/{size}/apps/{icon}.png"
            check(os.path.exists(p), f"icon {p}")
        if shutil.which("desktop-file-validate"):
            run("desktop-file-validate", path)
            log("desktop-file-validate: no complaint")

        # 2. "Open with Vitrine" on two files
        pics = photos(3, os.path.join(home, "generated"))
        work = os.path.join(home, "Pictures with spaces ü")
        os.makedirs(work)
        files = []
        for i, src in enumerate(pics):
            dst = os.path.join(work, f"photo {i + 1}.jpg")
            shutil.copy(src, dst)
            files.append(dst)
        cmd = exec_line(keys, files[:2])
        log(f"open with: {cmd}")
        app = subprocess.Popen(cmd, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wid = window_id(timeout=60)
        if shutil.which("xprop"):
            wm_class = run("xprop", "-id", wid, "WM_CLASS")
            check(f'"{keys.get("StartupWMClass")}"' in wm_class,
                  f"StartupWMClass={keys.get('StartupWMClass')} matches the window's {wm_class.strip()}")
        rows = wait_until("both files in the default library", lambda: (r := cli_ls(env)) and len(r) >= 2 and r, timeout=90)
        names = sorted(r["filename"] for r in rows)
        check(names == ["photo 1.jpg", "photo 2.jpg"], f"imported: {names}")
        check(os.path.isfile(os.path.join(library, "catalog.db")), f"the default library is {library}")
        time.sleep(3)  # the first image opens in the detail view
        shots.screen("open-with")

        # 3. a third file while it runs
        t0 = time.monotonic()
        second = subprocess.run(exec_line(keys, files[2:]), env=env, cwd=home, capture_output=True, text=True, timeout=60)
        took = time.monotonic() - t0
        check(second.returncode == 0, f"the second launch exits cleanly ({second.returncode}): {second.stderr[-500:]}")
        log(f"the second launch handed over and exited in {took:.1f} s")
        check(app.poll() is None, "the first app keeps running")
        rows = wait_until("the third file in the library", lambda: (r := cli_ls(env)) and len(r) >= 3 and r, timeout=60)
        check(sorted(r["filename"] for r in rows) == ["photo 1.jpg", "photo 2.jpg", "photo 3.jpg"], "all three imported")
        procs = run("pgrep", "-x", "vitrine-app").split()
        check(len(procs) == 1, f"one app process stays: {procs}")
        time.sleep(2)
        shots.screen("third-file")

        # 4. the log
        with open(os.path.join(log_dir, "vitrine.log"), encoding="utf-8") as f:
            text = f.read()
        for want in ("(app) starting", f"library opened at {library}", "asked to open 2 item(s)",
                     "asked to open 1 item(s)", "import: 2 input(s)", "import: 1 input(s)"):
            check(want in text, f"the log has {want!r}")
        check(os.path.exists(os.path.join(log_dir, "vitrine-cli.log")), "the CLI logs to vitrine-cli.log")

        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        app = None

        # 5. remove
        apt("remove", "vitrine")
        installed = False
        for b in (APP_BIN, CLI_BIN):
            check(not os.path.exists(b), f"{b} is removed")
        with sqlite3.connect(os.path.join(library, "catalog.db")) as db:
            n = db.execute("SELECT count(*) FROM images").fetchone()[0]
        check(n == 3, f"the library stays after the package is removed ({n} images)")
        originals = [p for p in glob.glob(os.path.join(library, "originals", "**", "*"), recursive=True) if os.path.isfile(p)]
        check(len(originals) == 3, f"its originals too ({len(originals)})")

        if rpm:
            listing = run("rpm", "-qlp", rpm) if shutil.which("rpm") else ""
            if listing:
                for want in (APP_BIN, CLI_BIN, "/usr/share/applications/", "/usr/share/icons/hicolor/512x512/apps/"):
                    check(want in listing, f"the rpm installs {want}")
                info = run("rpm", "-qip", rpm)
                check("Name        : vitrine" in info, f"rpm name:\n{info}")
            else:
                log("rpm is not installed: the .rpm's contents are not checked")
        log("the install journey passed")
        return 0
    except Exception as e:  # noqa: BLE001
        log(f"FAILED: {e}")
        try:
            shots.screen("failure")
        except Exception:  # noqa: BLE001
            pass
        if app is not None and app.stdout and app.poll() is not None:
            log(app.stdout.read()[-3000:])
        for name in ("vitrine.log", "vitrine-cli.log"):
            p = os.path.join(log_dir, name)
            if os.path.exists(p):
                with open(p, encoding="utf-8") as f:
                    log(f"--- {name} (tail)\n" + "".join(f.readlines()[-40:]))
        return 1
    finally:
        if app is not None and app.poll() is None:
            app.kill()
            app.wait()
        if installed:
            apt("remove", "vitrine")
        if not os.environ.get("VITRINE_E2E_KEEP"):
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
