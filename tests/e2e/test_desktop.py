#!/usr/bin/env python3
"""End-to-end journey of what makes the app feel native, in a real WebKit window (tauri-driver),
with real keys and window sizes (xdotool), on a library of corpus photos synced to a folder remote.

    E2E_SCRIPT=tests/e2e/test_desktop.py scripts/e2e

Steps (screenshots under target/e2e-screenshots/desktop/; look at them):
  a. filters combine: a sidebar tag, then "Public": two chips, the result count the CLI's
     `ls --tag T --visibility public` gives; removing a chip keeps the other
  b. the Filter panel: a camera and an orientation from the library's own values; the count is
     what `vitrine ls --camera C --orientation O` lists
  c. the grid: Ctrl+− makes thumbnails smaller (more columns), captions and the whole-picture
     layout from View, remembered after a restart of the window's page
  d. the share panel with a folder remote: a private image offers "Make unlisted" (no presigned
     link buttons that cannot work); one click makes it unlisted (the CLI agrees), and its link
     is under the folder's public URL
  e. EXIF in plain words: the summary of a corpus photo names its camera, aperture, exposure, ISO
  f. every window size, light and dark: 1280×800, 900×600 and 640×420, the gallery and an image;
     the toolbar's overflow menu, the sidebar drawer and the detail view's tabs where narrow
  g. selection with real mouse events: Ctrl-click, Shift-click, a rubber band; bulk visibility and
     tags (the CLI sees them); Select all (Ctrl+A) in a search, delete, Undo (nothing deleted)
  h. an album from the selection, published to the folder remote (page and copies on disk under
     its public URL's path), then unpublished (nothing left)
  i. drag out: real drags from a tile into other applications' windows (XDND, drop_target.py):
     one that takes files gets the original's file, one that takes only text the share link
Exit status 0 only if every step passed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from typing import Optional
from urllib.parse import unquote, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    CORPUS_PHOTOS, E2E_DIR, GI_PYTHON, App, Shots, cli, log, photos, require_display, run_journey, run_steps, wait_until,
    window_id,
)
from webdriver import Session  # noqa: E402

CELL = "[data-testid=cell]"
CHIP = "[data-testid=chip]"
COUNT = "[data-testid=result-count]"
DETAIL = "[data-testid=detail]"
TAG = "trip"
EXIF_PHOTO = "plasma-Path.jpg"  # OLYMPUS E-M1, f/4.5, 1/15 s, ISO 200 (shared corpus)
SIZES = [(1280, 800), (900, 600), (640, 420)]
PUBLIC_URL = "https://pictures.example.org/vitrine"


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise AssertionError(msg)


def xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def images_text(n: int) -> str:
    return "1 image" if n == 1 else f"{n:,} images"


def ls(lib: str, *args: str) -> list[dict]:
    return cli(lib, "ls", "--limit", "100000", *args) or []


class Scenario:
    def __init__(self, s: Session, lib: str, work: str, shots: Shots):
        self.s, self.lib, self.work, self.shots = s, lib, work, shots

    # --- helpers ---
    def chips(self) -> list[str]:
        return self.s.execute("return [...document.querySelectorAll(arguments[0])].map(c => c.dataset.key)", CHIP)

    def wait_count(self, n: int, what: str) -> None:
        self.s.wait_text(COUNT, lambda t: t == images_text(n), f"{what}: the count says {images_text(n)}", timeout=15)
        wait_until(f"{what}: {n} tiles", lambda: self.s.count(CELL) == n, timeout=15)

    def click_testid(self, testid: str) -> None:
        self.s.wait_for(f"[data-testid={testid}]").click()

    def columns(self) -> int:
        return self.s.execute(
            "return new Set([...document.querySelectorAll(arguments[0])].map(c => Math.round(c.getBoundingClientRect().left))).size",
            CELL)

    def open_image(self, filename: str) -> None:
        s = self.s
        s.find("[data-testid=search]").clear().send_keys(filename.rsplit(".", 1)[0])
        cell = f'{CELL}[aria-label="{filename}"]'
        s.wait_for(cell)
        s.find(cell).click()
        s.wait_for(DETAIL)

    def close_image(self) -> None:
        xdo("key", "--window", window_id(), "Escape")
        self.s.wait_gone(DETAIL)

    def clear_search(self) -> None:
        self.s.find("[data-testid=search]").clear()
        self.s.execute("document.querySelector('[data-testid=search]').dispatchEvent(new Event('input', {bubbles: true}))")

    # --- steps ---
    def a_filters_combine(self) -> None:
        s = self.s
        s.wait_for(CELL)
        total = len(ls(self.lib))
        self.wait_count(total, "all images")
        s.wait_for(f"[data-testid=filter-tag]").click()  # the only tag
        tagged = len(ls(self.lib, "--tag", TAG))
        self.wait_count(tagged, "the tag")
        self.click_testid("filter-visibility-public")
        both = len(ls(self.lib, "--tag", TAG, "--visibility", "public"))
        check(0 < both < tagged, f"the fixture has public and private tagged images ({both} of {tagged})")
        self.wait_count(both, "tag + public")
        check(self.chips() == ["visibility", f"tag:{TAG}"], f"two chips: {self.chips()}")
        pressed = s.execute("return document.querySelector('[data-testid=filter-visibility-public]').getAttribute('aria-pressed')")
        check(pressed == "true", "Public is highlighted in the sidebar")
        self.shots.page(s, "filters-tag-and-public")
        s.find(f"{CHIP}[data-key=visibility] button").click()
        self.wait_count(tagged, "the visibility chip removed, the tag kept")
        check(self.chips() == [f"tag:{TAG}"], f"one chip left: {self.chips()}")
        self.click_testid("filter-all")
        self.wait_count(total, "All images")

    def b_filter_panel(self) -> None:
        s = self.s
        self.click_testid("filter-button")
        s.wait_for("[data-testid=filter-button-panel]")
        photo = next(r for r in ls(self.lib) if r["filename"] == EXIF_PHOTO)
        camera = photo["camera_model"]
        wait_until(f"the library's cameras in the panel, {camera} among them", lambda: camera in s.execute(
            "return [...document.querySelectorAll('[data-testid=filter-camera] option')].map(o => o.value)"), timeout=10)
        for testid, value in (("filter-camera", camera), ("filter-orientation", "landscape")):
            s.execute(
                "const el = document.querySelector(`[data-testid=${arguments[0]}]`); el.value = arguments[1];"
                "el.dispatchEvent(new Event('change', {bubbles: true}));", testid, value)
        want = len(ls(self.lib, "--camera", camera, "--orientation", "landscape"))
        check(want > 0, f"some landscape photos by {camera}")
        self.wait_count(want, f"camera {camera} + landscape")
        self.shots.page(s, "filter-panel")
        xdo("key", "--window", window_id(), "Escape")
        s.wait_gone("[data-testid=filter-button-panel]")
        check(self.chips() == ["camera", "orientation"], f"two chips: {self.chips()}")
        self.click_testid("filters-clear")
        self.wait_count(len(ls(self.lib)), "filters cleared")

    def c_grid_tuning(self) -> None:
        s = self.s
        before = self.columns()
        wid = window_id()
        xdo("key", "--window", wid, "ctrl+minus", "ctrl+minus")
        wait_until("smaller thumbnails: more columns", lambda: self.columns() > before, timeout=10)
        self.click_testid("view-button")
        self.click_testid("grid-captions-name")
        self.click_testid("grid-layout-aspect")
        wait_until("captions under the pictures", lambda: s.execute(
            "return [...document.querySelectorAll('[data-testid=cell] .label')].filter(l => l.offsetHeight > 0).length") > 0,
            timeout=10)
        check(s.execute("return document.querySelector('[data-testid=grid]').classList.contains('fit')"), "whole pictures")
        xdo("key", "--window", wid, "Escape")
        self.shots.page(s, "grid-small-captions-whole")
        # Remembered: a reload of the page keeps them.
        s.execute("location.reload()")
        s.wait_for(CELL)
        wait_until("captions after a reload", lambda: s.count("[data-testid=cell] .label") > 0, timeout=15)
        check(s.execute("return document.querySelector('[data-testid=grid]').classList.contains('fit')"),
              "the layout after a reload")
        # Back to the defaults for the screenshots of every size.
        self.click_testid("view-button")
        self.click_testid("grid-captions-none")
        self.click_testid("grid-layout-square")
        s.execute(
            "const el = document.querySelector('[data-testid=grid-size]'); el.value = 200;"
            "el.dispatchEvent(new Event('input', {bubbles: true}));")
        xdo("key", "--window", wid, "Escape")

    def d_share_on_folder_remote(self) -> None:
        s = self.s
        private = [r for r in ls(self.lib, "--visibility", "private", "--status", "synced") if r["filename"] != EXIF_PHOTO]
        target = private[0]
        self.open_image(target["filename"])
        s.wait_for("[data-testid=share-make-unlisted]")
        check(s.count("[data-testid^=copy-link-]") == 0, "no Copy buttons that cannot work on a folder remote")
        check(s.count("[data-testid=share-error]") == 0, "no error before anything was tried")
        self.shots.page(s, "share-folder-remote-private")
        self.click_testid("share-make-unlisted")
        wait_until("the CLI sees it unlisted",
                   lambda: (cli(self.lib, "show", target["id"]) or {}).get("visibility") == "unlisted", timeout=15)
        self.click_testid("copy-link-url")
        url = s.wait_for("[data-testid=share-url]").prop("value")
        check(url.startswith(PUBLIC_URL + "/"), f"the stable link is under the folder's public URL: {url}")
        check(s.count("[data-testid=share-error]") == 0, "no error after making it unlisted")
        self.shots.page(s, "share-folder-remote-unlisted")
        self.close_image()
        self.clear_search()

    def e_exif_summary(self) -> None:
        s = self.s
        self.open_image(EXIF_PHOTO)
        summary = s.wait_text("[data-testid=exif-summary]", lambda t: "E-M1" in t, "the EXIF summary names the camera")
        for want in ("f/4.5", "1/15 s", "ISO 200", "7 mm"):
            check(want in summary, f"{want!r} in the EXIF summary {summary!r}")
        s.execute("document.querySelector('[data-testid=exif-summary]').scrollIntoView()")
        self.shots.page(s, "exif-summary")
        self.close_image()
        self.clear_search()

    def f_every_size_light_and_dark(self) -> None:
        s = self.s
        wid = window_id()
        for theme in ("light", "dark"):
            self.click_testid("nav-settings")
            self.click_testid(f"theme-{theme}")
            wait_until(f"the {theme} theme", lambda: s.execute("return document.documentElement.dataset.theme") == theme, timeout=5)
            self.click_testid("filter-all")
            s.wait_for(CELL)
            for w, h in SIZES:
                xdo("windowsize", wid, str(w), str(h))
                wait_until(f"the window at {w}x{h}", lambda: s.execute("return [innerWidth, innerHeight]") == [w, h], timeout=10)
                narrow = w <= 720
                sidebar = s.count("[data-testid=sidebar]") > 0
                check(sidebar != narrow, f"at {w}px the sidebar is {'a closed drawer' if narrow else 'shown'}")
                check(s.find("[data-testid=add-folder]").displayed() == (w > 900), f"Add folder… in the toolbar at {w}px only if it fits")
                check(s.find("[data-testid=more-actions]").displayed() == (w <= 900), f"the ⋯ menu at {w}px when needed")
                overflow = s.execute("return document.documentElement.scrollWidth > innerWidth || document.body.scrollWidth > innerWidth")
                check(not overflow, f"nothing wider than the window at {w}px")
                self.shots.page(s, f"{theme}-{w}x{h}-gallery")
                if narrow:
                    self.click_testid("sidebar-toggle")
                    s.wait_for("[data-testid=sidebar-slot].drawer")
                    self.shots.page(s, f"{theme}-{w}x{h}-sidebar-drawer")
                    xdo("key", "--window", wid, "Escape")
                    s.wait_gone("[data-testid=sidebar]")
                if w <= 900:
                    self.click_testid("more-actions")
                    s.wait_for("[data-testid=menu-add-folder]")
                    self.shots.page(s, f"{theme}-{w}x{h}-more-menu")
                    xdo("key", "--window", wid, "Escape")
                    s.wait_gone("[data-testid=context-menu]")
                s.find(CELL).click()
                s.wait_for(DETAIL)
                if w <= 860:
                    s.wait_for("[data-testid=detail-tab-info]")
                    self.shots.page(s, f"{theme}-{w}x{h}-detail-picture")
                    self.click_testid("detail-tab-info")
                    s.wait_for("[data-testid=exif], [data-testid=detail-filename]")
                    info_h = s.execute("return document.querySelector('#detail-info').getBoundingClientRect().height")
                    check(info_h > h * 0.6, f"the details get the window's height at {w}x{h} ({info_h}px)")
                    self.shots.page(s, f"{theme}-{w}x{h}-detail-info")
                    self.click_testid("detail-tab-picture")
                else:
                    self.shots.page(s, f"{theme}-{w}x{h}-detail")
                self.close_image()
            xdo("windowsize", wid, "1280", "800")
            wait_until("the window back at 1280x800", lambda: s.execute("return innerWidth") == 1280, timeout=10)
        # The sidebar toggles where it is docked too.
        self.click_testid("sidebar-toggle")
        s.wait_gone("[data-testid=sidebar]")
        self.shots.page(s, "dark-1280x800-sidebar-hidden")
        self.click_testid("sidebar-toggle")
        s.wait_for("[data-testid=sidebar]")

    # --- selection, with real mouse events ---
    def _center(self, index: int) -> tuple[int, int]:
        return tuple(self.s.execute(
            "const r = document.getElementById('cell-' + arguments[0]).getBoundingClientRect();"
            "return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];", index))

    def _click(self, index: int, *mods: str) -> None:
        x, y = self._center(index)
        args = ["mousemove", "--window", window_id(), str(x), str(y)]
        for m in mods:
            args += ["keydown", m]
        args += ["click", "1"]
        for m in mods:
            args += ["keyup", m]
        xdo(*args)

    def _selected(self) -> list[str]:
        return self.s.execute("return [...document.querySelectorAll('[data-testid=cell][aria-selected=true]')].map(c => c.dataset.id)")

    def _count_text(self, n: int) -> None:
        self.s.wait_text("[data-testid=selection-count]", lambda t: t == f"{n:,} selected", f"{n} selected")

    def g_selection_and_bulk_actions(self) -> None:
        s, wid = self.s, window_id()
        self.click_testid("filter-all")
        s.wait_for(CELL)
        ids = s.execute("return [...document.querySelectorAll('[data-testid=cell]')].sort((a, b) => a.dataset.index - b.dataset.index).map(c => c.dataset.id)")
        # Ctrl-click, then Shift-click: a range.
        self._click(1, "ctrl")
        self._count_text(1)
        self._click(4, "shift")
        self._count_text(4)
        check(sorted(self._selected()) == sorted(ids[1:5]), f"tiles 1-4 selected: {self._selected()}")
        check(s.count(DETAIL) == 0, "selecting opened no image")
        self.shots.page(s, "selection-range")
        # Bulk visibility and tags through the selection bar; the CLI sees them.
        self.click_testid("bulk-visibility")
        self.click_testid("menu-bulk-visibility-public")
        wait_until("the CLI sees the four public", lambda: set(ids[1:5]) <= {r["id"] for r in ls(self.lib, "--visibility", "public")}, timeout=15)
        self.click_testid("bulk-tags")
        s.wait_for("[data-testid=bulk-tags-add]").send_keys("picked")
        self.click_testid("bulk-tags-apply")
        wait_until("the CLI sees the tag on exactly those", lambda: sorted(r["id"] for r in ls(self.lib, "--tag", "picked")) == sorted(ids[1:5]), timeout=15)
        xdo("key", "--window", wid, "Escape")
        s.wait_gone("[data-testid=selection-bar]")
        # A rubber band from inside the first tile to the middle of the second row's second one.
        cols = s.execute("const t = [...document.querySelectorAll('[data-testid=cell]')].map(c => Math.round(c.getBoundingClientRect().top));"
                         "return t.filter(v => v === t[0]).length")
        # From the grid's padding.
        x0, y0 = s.execute("const r = document.getElementById('cell-0').getBoundingClientRect(); return [Math.round(r.x - 6), Math.round(r.y + 30)]")
        x1, y1 = self._center(cols + 1)
        xdo("mousemove", "--window", wid, str(x0), str(y0), "mousedown", "1")
        for k in range(1, 6):
            xdo("mousemove", "--window", wid, str(x0 + (x1 - x0) * k // 5), str(y0 + (y1 - y0) * k // 5))
            time.sleep(0.05)
        self.shots.page(s, "selection-rubber-band")
        xdo("mouseup", "1")
        want = sorted([ids[0], ids[1], ids[cols], ids[cols + 1]])
        wait_until("the band selected the four tiles it crossed", lambda: sorted(self._selected()) == want, timeout=5)
        xdo("key", "--window", wid, "Escape")
        # Select all in a search, delete, undo.
        s.find("[data-testid=search]").clear().send_keys("plasma")
        n = len(cli(self.lib, "search", "plasma", "--limit", "1000") or [])
        check(n > 1, f"the search finds several photos ({n})")
        wait_until("the search's tiles", lambda: s.count(CELL) == n, timeout=15)
        s.execute("document.activeElement.blur()")
        xdo("key", "--window", wid, "ctrl+a")
        self._count_text(n)
        self.shots.page(s, "selection-all-in-search")
        total = len(ls(self.lib))
        self.click_testid("bulk-delete")
        self.click_testid("confirm-delete-button")
        wait_until("the search's images gone from the grid", lambda: s.count(CELL) == 0, timeout=10)
        self.click_testid("undo-button")
        wait_until("undo brings them back", lambda: s.count(CELL) == n, timeout=10)
        time.sleep(7)  # past the undo window: nothing was deleted
        check(len(ls(self.lib)) == total, "the library still has every image after Undo")
        self.clear_search()

    def h_album_publish(self) -> None:
        """Two images into a new album from the selection bar, published to the folder remote
        (its page and copies on disk under the folder), then unpublished (nothing left)."""
        s = self.s
        self.click_testid("filter-all")
        self.wait_count(len(ls(self.lib)), "all images again")
        time.sleep(0.3)  # the search box's debounce has settled: the listing stays
        self._click(0, "ctrl")
        self._click(1, "ctrl")
        self._count_text(2)
        self.click_testid("bulk-album")
        self.click_testid("menu-album-new")
        s.wait_for("[data-testid=album-name-input]").send_keys("Best of the trip")
        self.click_testid("album-name-submit")
        s.wait_text(COUNT, lambda t: t == "2 images", "the new album shown")
        self.click_testid("album-publish")
        s.wait_for("[data-testid=album-copy-link]", timeout=30)
        album = cli(self.lib, "album", "show", "Best of the trip")
        url = album["published_url"]
        check(url.startswith(PUBLIC_URL + "/") and url.endswith("/index.html"), f"the album's address: {url}")
        page = os.path.join(self.work, "remote", url[len(PUBLIC_URL) + 1:])
        check(os.path.isfile(page), f"the page is in the folder remote: {page}")
        folder = os.path.dirname(page)
        html = open(page, encoding="utf-8").read()
        check("Best of the trip" in html, "the page names the album")
        copies = [f for f in os.listdir(os.path.join(folder, "images"))]
        check(len(copies) == 2, f"two image copies: {copies}")
        self.shots.page(s, "album-published")
        self.click_testid("album-unpublish")
        s.wait_for("[data-testid=album-publish]", timeout=30)
        wait_until("the album's folder emptied", lambda: not os.path.exists(page), timeout=10)
        check(not os.path.exists(folder) or not any(os.scandir(folder)), f"nothing left under {folder}")

    def _drag_to_target(self, index: int, name: str, text_only: bool = False) -> list[str]:
        """Drags tile INDEX (xdotool, a real XDND drag) onto a drop_target.py window; returns
        the lines it received."""
        s, wid = self.s, window_id()
        out = os.path.join(self.work, f"dropped-{name}.txt")
        args = [GI_PYTHON, os.path.join(E2E_DIR, "drop_target.py"), out, "950", "200"] + (["text"] if text_only else [])
        target = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, NO_AT_BRIDGE="1"))
        try:
            wait_until("the drop target's window", lambda: subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "^DropTarget$"], capture_output=True, text=True).stdout.strip(),
                timeout=15)
            x, y = self._center(index)
            xdo("mousemove", "--window", wid, str(x), str(y), "mousedown", "1")
            for k in range(1, 4):
                xdo("mousemove", "--window", wid, str(x + 4 * k), str(y + 4 * k))
                time.sleep(0.1)
            time.sleep(0.5)  # the core starts the OS drag
            for k in range(1, 11):
                xdo("mousemove", str(x + (1100 - x) * k // 10), str(y + (350 - y) * k // 10))
                time.sleep(0.1)
            time.sleep(0.3)
            self.shots.screen(f"drag-out-over-{name}")
            xdo("mouseup", "1")
            wait_until(f"the {name} drop target got something", lambda: os.path.exists(out), timeout=15)
            return [u for u in open(out).read().split("\n") if u.strip()]
        finally:
            target.kill()

    def i_drag_out(self) -> None:
        """Real drags (xdotool, XDND) from a tile to other applications' windows
        (drop_target.py, GTK): one that takes files receives the original, byte for byte; one
        that takes only text receives the image's share link."""
        s, wid = self.s, window_id()
        self.click_testid("filter-all")
        self.wait_count(len(ls(self.lib)), "all images for the drag")
        xdo("windowsize", wid, "900", "800")
        wait_until("the window at 900 px", lambda: s.execute("return innerWidth") == 900, timeout=10)
        try:
            image_id = s.execute("return document.getElementById('cell-0').dataset.id")
            uris = self._drag_to_target(0, "files")
            check(len(uris) == 1 and uris[0].startswith("file://"), f"one file URI dropped: {uris}")
            path = unquote(urlparse(uris[0]).path)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            want = (cli(self.lib, "show", image_id) or {}).get("sha256")
            check(digest == want, f"the dropped file is the image's original ({path})")
            # A public image dropped where only text goes: its stable link.
            public = {r["id"] for r in ls(self.lib, "--visibility", "public")}
            index = s.execute("const c = [...document.querySelectorAll('[data-testid=cell]')].find(c => arguments[0].includes(c.dataset.id));"
                              "return c ? Number(c.dataset.index) : null", sorted(public))
            check(index is not None, "a public image in view")
            time.sleep(0.5)
            # Right after the first: a second drag starts too (WebKit saw the button come up).
            lines = self._drag_to_target(index, "text", text_only=True)
            check(len(lines) == 1 and lines[0].startswith(PUBLIC_URL + "/"), f"the share link dropped as text: {lines}")
        finally:
            xdo("windowsize", wid, "1280", "800")


def make_library(lib: str, work: str) -> None:
    """Corpus photos, some tagged and some of those public, synced to a folder remote."""
    pics = photos(16, os.path.join(work, "photos"))
    exif = os.path.join(CORPUS_PHOTOS, EXIF_PHOTO)
    check(os.path.exists(exif), f"{exif}: build the shared corpus (scripts/setup --test)")
    cli(lib, "import", "--tag", TAG, *pics[:8])
    cli(lib, "import", *pics[8:], exif)
    tagged = [r["id"] for r in ls(lib, "--tag", TAG)]
    cli(lib, "visibility", *tagged[:3], "public")
    # A folder a web server would serve: its public URL gives unlisted images their stable links.
    cli(lib, "remote", "add", "home", "--provider", "folder", "--path", os.path.join(work, "remote"),
        "--public-url", PUBLIC_URL)
    cli(lib, "sync", "--once")


def journey(stack: contextlib.ExitStack, shots: Shots, work: str) -> Optional[str]:
    lib = os.path.join(work, "library")
    make_library(lib, work)
    app = stack.enter_context(App(lib, state_dir=os.path.join(work, "state"), log_name="driver-desktop"))
    s = app.start()
    sc = Scenario(s, lib, work, shots)
    return run_steps(s, shots, [sc.a_filters_combine, sc.b_filter_panel, sc.c_grid_tuning, sc.d_share_on_folder_remote,
                                sc.e_exif_summary, sc.f_every_size_light_and_dark, sc.g_selection_and_bulk_actions,
                                sc.h_album_publish, sc.i_drag_out],
                     screen=True)


def main() -> int:
    require_display()
    if shutil.which("xdotool") is None:
        sys.exit("xdotool is missing: scripts/setup --e2e")
    return run_journey("desktop", journey)


if __name__ == "__main__":
    sys.exit(main())
