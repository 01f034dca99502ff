#!/usr/bin/env python3
"""End-to-end scenario of the desktop app in a real WebKit window, driven through tauri-driver.

    scripts/e2e                      # builds what is missing, runs this under xvfb-run
    python3 tests/e2e/test_app.py    # when DISPLAY is set and the app is built

Steps (each saves screenshots under target/e2e-screenshots/):
  a. empty library: the empty state is shown
  b. a real X11 drag-and-drop (another process, XDND) of photos and a folder holding more
     photos and a truncated JPEG: the grid fills, the transfers panel counts, the bad file is
     named with its reason; the CLI sees the same catalog
  c. detail view: visibility, tag (the CLI sees both), search, delete + Undo, delete
  d. "Import from URL…" against a loopback HTTP server: the image lands with its source URL
  e. the CLI imports while the app runs: the app shows it without user action
  f. Settings → About: version, library, log folder; the app's log has this session in it
  g. a real right-click on a tile: the app's own menu (never WebKit's), Esc closes it; Ctrl+A
     selects no interface text
Exit status 0 only if every step passed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    CLI, App, Shots, StaticServer, cli, drop, log, photos, require_display, run_journey, run_steps, truncated_jpeg,
    rendering, wait_until, window_id,
)
from webdriver import KEY_ENTER, Session  # noqa: E402

# Selectors: the UI's data-testid attributes (ui/src/lib/components/*.svelte).
EMPTY = "[data-testid=empty-state]"
GRID = "[data-testid=grid]"
CELL = "[data-testid=cell]"
DROP_OVERLAY = "[data-testid=drop-overlay]"
TRANSFERS = "[data-testid=transfers]"
TRANSFERS_TOGGLE = "[data-testid=transfers-toggle]"
COUNT_IMPORTED = "[data-testid=count-imported]"
COUNT_FAILED = "[data-testid=count-failed]"
FAILURES = "[data-testid=failures] li"
DETAIL = "[data-testid=detail]"
DETAIL_FILENAME = "[data-testid=detail-filename]"
DETAIL_CLOSE = "[data-testid=detail-close]"
TAG_INPUT = "[data-testid=tag-input]"
SEARCH = "[data-testid=search]"
DELETE = "[data-testid=delete]"
CONFIRM = "[data-testid=confirm-delete]"
CONFIRM_BUTTON = "[data-testid=confirm-delete-button]"
UNDO = "[data-testid=undo-button]"
IMPORT_URL = "[data-testid=import-url]"
URL_DIALOG = "[data-testid=url-dialog]"
URL_INPUT = "[data-testid=url-input]"
URL_SUBMIT = "[data-testid=url-submit]"

TAG = "e2e-sunset"
UNDO_WINDOW_S = 6  # ui/src/lib/stores/deletes.svelte.ts UNDO_MS


def cell_sel(image_id: str) -> str:
    return f'{CELL}[data-id="{image_id}"]'


def grid_state(s: Session) -> dict:
    """What the grid shows: its total, the rendered cells, and whether every thumbnail in
    view has been decoded (complete with a natural width)."""
    return s.execute(
        """
        const g = document.querySelector(arguments[0]);
        const cells = [...document.querySelectorAll(arguments[1])];
        const vh = window.innerHeight;
        const imgs = cells.map(c => c.querySelector('img')).filter(Boolean)
            .filter(i => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < vh; });
        return {
          total: g ? Number(g.dataset.total) : null,
          cells: cells.length,
          ids: cells.map(c => c.dataset.id),
          names: cells.map(c => c.getAttribute('aria-label')),
          images: imgs.length,
          painted: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
          broken: imgs.filter(i => i.complete && i.naturalWidth === 0).length,
        };""",
        GRID, CELL)


def wait_grid(s: Session, n: int, what: str, timeout: float = 20) -> dict:
    last = {}

    def probe():
        nonlocal last
        last = grid_state(s)
        return last if last["cells"] == n and last["total"] == n else None

    try:
        return wait_until(what, probe, timeout)
    except AssertionError as e:
        raise AssertionError(f"{e}; grid was {last}") from None


def wait_thumbs_painted(s: Session, what: str, timeout: float = 15) -> dict:
    last = {}

    def probe():
        nonlocal last
        last = grid_state(s)
        if last["broken"]:
            raise AssertionError(f"{last['broken']} thumbnail(s) failed to load: {last}")
        return last if last["images"] > 0 and last["painted"] == last["images"] else None

    try:
        return wait_until(what, probe, timeout)
    except AssertionError as e:
        raise AssertionError(f"{e}; grid was {last}") from None


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise AssertionError(msg)


def ls(lib: str) -> list[dict]:
    return cli(lib, "ls") or []


# --- the steps -----------------------------------------------------------------------------
class Scenario:
    def __init__(self, s: Session, lib: str, work: str, shots: Shots, app: App):
        self.s, self.lib, self.work, self.shots, self.app = s, lib, work, shots, app
        self.expected: list[str] = []  # filenames that must be in the library

    def a_empty_library(self) -> None:
        s = self.s
        el = s.wait_for(EMPTY, timeout=30)
        check("empty" in el.text.lower(), f"empty state text: {el.text!r}")
        check(s.count(CELL) == 0, "cells shown in an empty library")
        check(s.title == "Vitrine", f"window title {s.title!r}")
        window_id()
        # The app chose how to paint before WebKit started (src-tauri/app/rendering.rs): on a
        # machine with no GPU render node, on the CPU without compositing, and WebKit's web
        # process inherited the switch.
        painting = rendering(s)
        gpu = os.path.isdir("/dev/dri") and any(n.startswith("renderD") for n in os.listdir("/dev/dri"))
        if not gpu and not any(os.environ.get(k) for k in ("VITRINE_RENDERING", "WEBKIT_DISABLE_COMPOSITING_MODE")):
            check(painting.startswith("CPU ("), f"rendering on a machine with no GPU: {painting!r}")
            web = [p for p, n in self.app.pids().items() if n.startswith("WebKitWebProces")]
            check(len(web) >= 1, f"no WebKit web process among {self.app.pids()}")
            for pid in web:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read().split(b"\0")
                check(b"WEBKIT_DISABLE_COMPOSITING_MODE=1" in env,
                      f"web process {pid} did not inherit WEBKIT_DISABLE_COMPOSITING_MODE=1")
        log(f"rendering: {painting}")
        self.shots.page(s, "empty-library")

    def b_drop(self) -> None:
        s, work = self.s, self.work
        pics = photos(8, os.path.join(work, "generated"))
        # Loose files, one with a space, '#' and non-ASCII in its name.
        loose_dir = os.path.join(work, "loose")
        os.makedirs(loose_dir)
        loose = []
        for i, src in enumerate(pics[:4]):
            name = "Café #1 night.jpg" if i == 0 else os.path.basename(src)
            dst = os.path.join(loose_dir, name)
            shutil.copyfile(src, dst)
            loose.append(dst)
        folder = os.path.join(work, "Holiday album")
        os.makedirs(os.path.join(folder, "day 2"))
        in_folder = []
        for i, src in enumerate(pics[4:7]):
            dst = os.path.join(folder, "day 2" if i == 2 else "", os.path.basename(src))
            shutil.copyfile(src, dst)
            in_folder.append(dst)
        truncated_jpeg(pics[7], os.path.join(folder, "broken.jpg"))
        self.spare = pics[7]  # intact twin of broken.jpg, for the CLI step
        self.expected = [os.path.basename(p) for p in loose + in_folder]
        n = len(self.expected)

        log(f"dragging {len(loose)} files and a folder ({len(in_folder)} images + broken.jpg) onto the window")
        # Record every value the transfers counters take, from the first render on.
        s.execute("""
            window.__e2eCounts = [];
            const read = () => {
              const i = document.querySelector(arguments[0]), f = document.querySelector(arguments[1]);
              if (!i || !f) return;
              const v = [i.textContent.trim(), f.textContent.trim()];
              const last = window.__e2eCounts[window.__e2eCounts.length - 1];
              if (!last || last[0] !== v[0] || last[1] !== v[1]) window.__e2eCounts.push(v);
            };
            new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
            """, COUNT_IMPORTED, COUNT_FAILED)
        proc = drop(loose + [folder], hover=3.5)
        try:
            # While the pointer hovers, the window shows the drop overlay.
            s.wait_text(DROP_OVERLAY, lambda t: "5 items" in t, "the drop overlay announcing 5 items", timeout=10)
            # A WebDriver page screenshot blocks until the drag ends, so this one is of the X
            # screen; under Xvfb (software GL, a blurred backdrop) the overlay reaches the
            # screen 1-2 s after it is in the DOM.
            time.sleep(1.5)
            self.shots.screen("drop-hover")
        finally:
            try:
                out, _ = proc.communicate(timeout=20)
            except Exception:
                proc.terminate()
                out, _ = proc.communicate(timeout=5)
        check(proc.returncode == 0, f"the XDND drop was not accepted (drop.sh exit {proc.returncode}): {out.strip()}")
        self.shots.screen("drop-released")

        # The transfers panel counts up to the final numbers.
        s.wait_for(TRANSFERS, timeout=10)
        seen = []

        def counted():
            imported, failed = s.execute(
                "return [arguments[0], arguments[1]].map(q => document.querySelector(q).textContent.trim())",
                COUNT_IMPORTED, COUNT_FAILED)
            if not seen or seen[-1] != (imported, failed):
                seen.append((imported, failed))
            return imported == str(n) and failed == "1"

        wait_until(f"the transfers panel to count {n} imported and 1 failed", counted, timeout=60, interval=0.05)
        seen = [tuple(v) for v in s.execute("return window.__e2eCounts")]
        log(f"transfers panel counts (imported, failed) as rendered: {seen}")
        nums = [int(i) for i, _ in seen]
        check(nums == sorted(nums), f"the imported count went backwards: {seen}")
        check(seen[-1] == (str(n), "1"), f"final counts {seen[-1]}")

        st = wait_grid(s, n, f"{n} cells in the grid")
        check(sorted(st["names"]) == sorted(self.expected), f"grid names {sorted(st['names'])} != {sorted(self.expected)}")
        wait_thumbs_painted(s, "every thumbnail in view to be painted")
        s.wait_text("[data-testid=filter-all] .count", lambda t: t == str(n), f"the sidebar to count {n} images")
        s.wait_text("[data-testid=filter-source-drop] .count", lambda t: t == str(n), f"the sidebar to count {n} dropped")

        # The failure: named, with the core's reason.
        if s.find(TRANSFERS_TOGGLE).attr("aria-expanded") != "true":
            s.find(TRANSFERS_TOGGLE).click()
        rows = s.wait_text(FAILURES, lambda t: "broken.jpg" in t, "broken.jpg in the failure list")
        check("corrupt or truncated" in rows, f"failure reason for broken.jpg: {rows!r}")
        self.shots.page(s, "dropped-grid-and-failure")

        # The catalog, through the real CLI.
        recs = ls(self.lib)
        check(sorted(r["filename"] for r in recs) == sorted(self.expected),
              f"CLI ls: {sorted(r['filename'] for r in recs)} != {sorted(self.expected)}")
        check(all(r["source"] == "drop" for r in recs), f"sources: {[r['source'] for r in recs]}")
        check(not any(r["filename"] == "broken.jpg" for r in recs), "broken.jpg was cataloged")
        self.ids = {r["filename"]: r["id"] for r in recs}

    def c_detail_search_delete(self) -> None:
        s, lib = self.s, self.lib
        name = "Café #1 night.jpg"
        image_id = self.ids[name]
        n = len(self.expected)

        s.wait_for(cell_sel(image_id)).click()
        s.wait_for(DETAIL)
        s.wait_text(DETAIL_FILENAME, lambda t: t == name, f"the detail view of {name}")
        s.wait_for("[data-testid=detail-preview].loaded", timeout=15)

        s.find("[data-testid=visibility-public]").click()
        wait_until("Public to be checked",
                   lambda: s.find("[data-testid=visibility-public]").attr("aria-checked") == "true")
        s.find(TAG_INPUT).click()
        s.find(TAG_INPUT).send_keys(TAG + KEY_ENTER)
        s.wait_for(f'[data-testid=tag-chip][data-tag="{TAG}"]')
        self.shots.page(s, "detail-public-tagged")

        def cli_sees_edits():
            d = cli(lib, "show", image_id)
            return d if d["visibility"] == "public" and TAG in d["tags"] else None

        wait_until("the CLI to see visibility public and the tag", cli_sees_edits, timeout=10)

        s.find(DETAIL_CLOSE).click()
        s.wait_gone(DETAIL)
        wait_grid(s, n, "the full grid after closing the detail view")

        # Search: the tag matches exactly one image; clearing brings all back.
        s.find(SEARCH).click()
        s.find(SEARCH).send_keys(TAG)
        st = wait_grid(s, 1, f"one result for {TAG!r}")
        check(st["ids"] == [image_id], f"search result {st['names']} is not {name}")
        self.shots.page(s, "search-tag")
        s.find(SEARCH).clear()
        s.find(SEARCH).send_keys("night")  # filename search (FTS on the filename)
        st = wait_grid(s, 1, "one result for 'night'")
        check(st["ids"] == [image_id], f"search result {st['names']} is not {name}")
        s.find(SEARCH).clear()
        s.execute("const e = document.querySelector(arguments[0]); e.dispatchEvent(new Event('input', {bubbles: true}));", SEARCH)
        wait_grid(s, n, "all images after clearing the search")

        # Delete with confirmation, then Undo: the image stays.
        self._delete_from_detail(image_id, name)
        st = wait_grid(s, n - 1, "the deleted image to leave the grid")
        s.wait_for(UNDO)
        self.shots.page(s, "deleted-undo-offered")
        s.find(UNDO).click()
        wait_grid(s, n, "the image to come back after Undo")
        time.sleep(0.5)
        check(any(r["id"] == image_id for r in ls(lib)), "the CLI no longer lists the image after Undo")

        # Delete for real: gone from the CLI once the undo window closes.
        self._delete_from_detail(image_id, name, "delete-confirm-again")
        wait_grid(s, n - 1, "the deleted image to leave the grid")
        t0 = time.monotonic()
        wait_until("the CLI to stop listing the deleted image",
                   lambda: not any(r["id"] == image_id for r in ls(lib)), timeout=UNDO_WINDOW_S + 10, interval=0.25)
        log(f"delete reached the catalog {time.monotonic() - t0:.1f} s after confirming")
        wait_until("the Undo toast to go", lambda: s.count(UNDO) == 0, timeout=5)
        wait_grid(s, n - 1, "the grid after the delete was committed")
        self.expected.remove(name)
        self.shots.page(s, "deleted")

    def _delete_from_detail(self, image_id: str, name: str, shot: str = "delete-confirm") -> None:
        s = self.s
        s.wait_for(cell_sel(image_id)).click()
        s.wait_text(DETAIL_FILENAME, lambda t: t == name, f"the detail view of {name}")
        s.find(DELETE).click()
        dialog = s.wait_for(CONFIRM)
        check(name in dialog.text or "Delete" in dialog.text, f"confirmation text: {dialog.text!r}")
        self.shots.page(s, shot)
        s.find(CONFIRM_BUTTON).click()
        s.wait_gone(CONFIRM)
        if s.count(DETAIL):  # the detail view may stay on a neighbour: close it
            s.find(DETAIL_CLOSE).click()
            s.wait_gone(DETAIL)

    def d_url_import(self) -> None:
        s, lib = self.s, self.lib
        web = os.path.join(self.work, "web")
        os.makedirs(web)
        src = photos(9, os.path.join(self.work, "generated"))[8]
        shutil.copyfile(src, os.path.join(web, "remote photo.jpg"))
        server = StaticServer(web)
        try:
            url = server.url("remote%20photo.jpg")
            n = len(self.expected)
            s.find(IMPORT_URL).click()
            s.wait_for(URL_DIALOG)
            s.find(URL_INPUT).send_keys(url)
            self.shots.page(s, "url-dialog")
            s.find(URL_SUBMIT).click()
            s.wait_gone(URL_DIALOG)
            st = wait_grid(s, n + 1, "the URL import in the grid", timeout=30)
            recs = [r for r in ls(lib) if r["source"] == "url"]
            check(len(recs) == 1, f"URL imports in the catalog: {recs}")
            rec = recs[0]
            check(rec["filename"] == "remote photo.jpg", f"URL import filename {rec['filename']!r}")
            check(rec["id"] in st["ids"], "the imported image is not in the grid")
            d = cli(lib, "show", rec["id"])
            urls = [d.get("source_url")] + [x.get("source") for x in d.get("sources", [])]
            check(url in urls, f"source url {url} not in {urls}")
            wait_thumbs_painted(s, "thumbnails after the URL import")
            self.expected.append(rec["filename"])
            self.shots.page(s, "url-imported")
        finally:
            server.stop()

    def e_cli_import_seen(self) -> None:
        s, lib = self.s, self.lib
        n = len(self.expected)
        out = cli(lib, "import", self.spare, "--tag", "from-cli")
        out = out if isinstance(out, list) else [out]
        check(out and out[0]["status"] == "imported", f"CLI import: {out}")
        new_id = out[0]["id"]
        t0 = time.monotonic()
        s.wait_for(cell_sel(new_id), timeout=10)
        log(f"the app showed the CLI's import after {time.monotonic() - t0:.1f} s")
        wait_grid(s, n + 1, "the grid to include the CLI's import")
        wait_thumbs_painted(s, "thumbnails after the CLI import")
        self.shots.page(s, "cli-import-seen")


    def f_settings_about(self) -> None:
        """Settings → About: the version, this library, the log folder (whose log has the
        start-up and this session's imports in it)."""
        s = self.s
        s.find("[data-testid=nav-settings]").click()
        s.wait_for("[data-testid=settings-about]")
        s.execute("document.querySelector('[data-testid=settings-about]').scrollIntoView({block: 'end'})")
        version = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
        text = s.execute("return document.querySelector('[data-testid=about-version]').textContent")
        check(text.strip() == f"Vitrine {version}", f"About shows the version: {text!r}, CLI says {version}")
        shown = s.execute("return document.querySelector('[data-testid=about-library]').textContent").strip()
        check(os.path.realpath(shown) == os.path.realpath(self.lib), f"About shows the library: {shown}")
        logs = s.execute("return document.querySelector('[data-testid=about-log-folder]').textContent").strip()
        want = os.path.join(self.app.state_dir, "xdg_state_home", "vitrine")
        check(logs == want, f"About shows the log folder {want}: {logs}")
        check(s.find_all("[data-testid=about-open-logs]") != [], "an Open log folder button")
        with open(os.path.join(want, "vitrine.log"), encoding="utf-8") as f:
            text = f.read()
        for line in ("(app) starting", "library opened at", "import:"):
            check(line in text, f"the app's log has {line!r}:\n{text[-2000:]}")
        self.shots.page(s, "settings-about")


    def g_context_menu_and_no_browser_behaviour(self) -> None:
        """A real right-click (xdotool) on a tile opens the app's own menu, never WebKit's; Esc
        closes it; Ctrl+A selects no interface text."""
        s = self.s
        s.find("[data-testid=filter-all]").click()
        s.wait_for(CELL)
        first = s.execute("return document.querySelector(arguments[0]).dataset.id", CELL)
        x, y = s.execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            "return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];", cell_sel(first))
        wid = window_id()
        subprocess.run(["xdotool", "mousemove", "--window", wid, str(x), str(y), "click", "3"], check=True, timeout=10)
        s.wait_for("[data-testid=context-menu]")
        items = s.execute("return [...document.querySelectorAll('[data-testid=context-menu] [role^=menuitem]')]"
                          ".map(e => e.textContent.trim())")
        for want in ("Open", "Reveal in folder", "Delete"):
            check(any(i.startswith(want) for i in items), f"the app's menu has {want}: {items}")
        self.shots.page(s, "context-menu")
        subprocess.run(["xdotool", "key", "--window", wid, "Escape"], check=True, timeout=10)
        wait_until("the menu to close", lambda: not s.find_all("[data-testid=context-menu]"), timeout=5)
        subprocess.run(["xdotool", "key", "--window", wid, "ctrl+a"], check=True, timeout=10)
        time.sleep(0.3)
        selected = s.execute("return String(window.getSelection())")
        check(selected == "", f"Ctrl+A selects no interface text: {selected[:80]!r}")


def journey(stack: contextlib.ExitStack, shots: Shots, work: str) -> Optional[str]:
    lib = os.path.join(work, "library")
    app = stack.enter_context(App(lib, state_dir=os.path.join(work, "state")))
    s = app.start()
    log(f"app session up in {app.started_in:.1f} s; url {s.url}")
    sc = Scenario(s, lib, work, shots, app)
    return run_steps(s, shots, [sc.a_empty_library, sc.b_drop, sc.c_detail_search_delete, sc.d_url_import,
                                sc.e_cli_import_seen, sc.f_settings_about, sc.g_context_menu_and_no_browser_behaviour],
                    screen=True)


def main() -> int:
    require_display()
    return run_journey("", journey)


if __name__ == "__main__":
    sys.exit(main())
