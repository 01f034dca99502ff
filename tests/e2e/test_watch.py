#!/usr/bin/env python3
"""End-to-end journey of a watched folder in the real app (WebKit window under Xvfb,
tauri-driver): the app's own watcher imports what appears in the folder, follows a rename,
stops while paused, catches up on resume, and forgets the folder (not its images) on removal.

    scripts/e2e                                    # runs test_app.py, test_sync.py, then this
    E2E_SCRIPT=tests/e2e/test_watch.py scripts/e2e --no-build

The native folder picker cannot be driven through WebDriver, so the folder is added with the
CLI while the app runs (`vitrine watch add DIR --no-scan`): the app's watcher picks it up.
Steps (screenshots under target/e2e-screenshots/watch/):
  a. an empty library; the CLI adds the folder: the sidebar and Settings show it watching
  b. 3 real photos copied in (one in a subfolder): the grid fills with them, tagged "watched"
     (the tag filter shows the 3); Settings lists each as added
  c. one renamed: still 3 images, and the detail view shows the new file name
  d. Pause in Settings: a photo copied in meanwhile does not appear
  e. Resume: it appears
  f. Options…: the form shows the folder's options; new tags and deletion rule saved (the CLI
     lists them), the folder watched again
  g. Remove… (confirmed): the folder is gone from Settings, the sidebar and the CLI; the
     images stay, and a file copied in afterwards is not imported
Exit status 0 only if every step passed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import App, Shots, cli, log, photos, require_display, run_journey, run_steps, wait_until  # noqa: E402
from test_app import (  # noqa: E402
    DETAIL, DETAIL_CLOSE, DETAIL_FILENAME, EMPTY, cell_sel, check, grid_state, wait_grid, wait_thumbs_painted,
)
from webdriver import Session  # noqa: E402

TAG = "watched"
# Selectors: data-testid attributes of ui/src/lib/components/Watch*.svelte.
SIDEBAR_ITEM = "[data-testid=sidebar-watched]"
SIDEBAR_ADD = "[data-testid=sidebar-watch-add]"
SECTION = "[data-testid=settings-watch]"
FOLDER = "[data-testid=watched-folder]"
CONFIRM = "[data-testid=watch-remove-confirm]"
# How long a paused folder is given to (wrongly) import a new file: the watcher reloads its
# folders every 0.5 s and settles a new file within about a second.
PAUSED_WAIT_S = 5


def within(sel: str, path: str) -> str:
    return f'{sel}[data-path="{path}"]'


def ls(lib: str) -> list[dict]:
    return cli(lib, "ls") or []


class Journey:
    def __init__(self, s: Session, lib: str, work: str, shots: Shots):
        self.s, self.lib, self.work, self.shots = s, lib, work, shots
        # Canonical, as the core stores it (a symlinked /tmp would differ otherwise).
        self.dir = os.path.realpath(os.path.join(work, "Watched Photos"))
        os.makedirs(os.path.join(self.dir, "day 2"))
        self.pics = photos(4, os.path.join(work, "generated"))

    # --- helpers -----------------------------------------------------------------------
    def folder(self, inner: str = "") -> str:
        """The folder's card in Settings (or something in it)."""
        return within(FOLDER, self.dir) + (f" {inner}" if inner else "")

    def sidebar(self) -> str:
        return within(SIDEBAR_ITEM, self.dir)

    def wait_status(self, status: str, timeout: float = 20) -> None:
        """Both the sidebar entry and the Settings card (when shown) say STATUS."""
        s = self.s

        def probe():
            side = s.execute("return document.querySelector(arguments[0])?.dataset.status ?? null", self.sidebar())
            card = s.execute("return document.querySelector(arguments[0])?.dataset.status ?? 'absent'", self.folder())
            return side == status and card in (status, "absent")

        wait_until(f"the folder to show {status!r} in the sidebar and Settings", probe, timeout=timeout, interval=0.1)

    def open_settings(self) -> None:
        """Settings, scrolled to this folder, through its sidebar entry."""
        s = self.s
        s.wait_for(self.sidebar()).click()
        s.wait_for(SECTION)
        s.wait_for(self.folder())

    def gallery(self, n: int, what: str, timeout: float = 20) -> dict:
        self.s.find("[data-testid=filter-all]").click()
        return wait_grid(self.s, n, what, timeout=timeout)

    def copy_in(self, src: str, sub: str = "") -> str:
        dst = os.path.join(self.dir, sub, os.path.basename(src))
        shutil.copyfile(src, dst)
        return dst

    # --- steps -------------------------------------------------------------------------
    def a_folder_added_by_cli(self) -> None:
        s = self.s
        s.wait_for(EMPTY, timeout=30)
        s.wait_for(SIDEBAR_ADD)
        check(s.count(SIDEBAR_ITEM) == 0, "a watched folder is listed in an empty library")
        self.shots.page(s, "empty-library")

        out = cli(self.lib, "watch", "add", self.dir, "--recursive", "--tag", TAG, "--no-scan")
        check(out["created"] is True and out["folder"]["path"] == self.dir, f"watch add: {out}")
        t0 = time.monotonic()
        s.wait_for(self.sidebar(), timeout=15)
        self.wait_status("watching")
        log(f"the app watches the CLI's folder after {time.monotonic() - t0:.1f} s")
        check(s.count(SIDEBAR_ADD) == 0, "'Watch a folder…' is still offered")
        label = s.execute("return document.querySelector(arguments[0]).textContent.trim()", self.sidebar())
        check(label.startswith("Watched Photos"), f"sidebar label {label!r}")
        check(self.dir in (s.find(self.sidebar()).attr("title") or ""), "the sidebar tooltip lacks the full path")
        self.shots.page(s, "sidebar-watching")

        self.open_settings()
        self.wait_status("watching")
        state = s.find(self.folder("[data-testid=watch-state]")).text
        check(state == "Watching", f"Settings says {state!r}")
        opts = s.find(self.folder("[data-testid=watch-options]")).text
        check("with subfolders" in opts and f"tags: {TAG}" in opts and "kept in place" in opts, f"options summary {opts!r}")
        self.shots.page(s, "settings-watching")

    def b_photos_arrive(self) -> None:
        s = self.s
        self.files = [self.copy_in(self.pics[0]), self.copy_in(self.pics[1]), self.copy_in(self.pics[2], "day 2")]
        names = sorted(os.path.basename(p) for p in self.files)
        log(f"copied {len(self.files)} photos into the folder: {names}")
        t0 = time.monotonic()
        st = self.gallery(3, "the 3 photos in the grid", timeout=60)
        log(f"all 3 in the grid {time.monotonic() - t0:.1f} s after the copy")
        check(sorted(st["names"]) == names, f"grid names {sorted(st['names'])} != {names}")
        wait_thumbs_painted(s, "thumbnails of the watched photos")
        s.wait_text("[data-testid=filter-source-watch] .count", lambda t: t == "3", "the sidebar to count 3 from watched folders")
        self.shots.page(s, "grid-filled")

        recs = ls(self.lib)
        check(len(recs) == 3, f"CLI ls: {len(recs)} images")
        for r in recs:
            check(r["source"] == "watch", f"{r['filename']}: source {r['source']}")
            check(TAG in r["tags"], f"{r['filename']}: tags {r['tags']}")
        self.ids = {r["filename"]: r["id"] for r in recs}

        # The tag filter of the sidebar shows the three.
        s.wait_text("[data-testid=filter-tag]", lambda t: TAG in t, f"the tag {TAG!r} in the sidebar")
        s.execute("""
            const b = [...document.querySelectorAll('[data-testid=filter-tag]')]
              .find(e => e.querySelector('.label')?.textContent.trim() === arguments[0]);
            b.click();""", TAG)
        wait_grid(s, 3, f"3 images tagged {TAG!r}")
        self.shots.page(s, "tag-filter")

        # Settings: 3 files, each listed as added.
        self.open_settings()
        s.wait_text(self.folder("[data-testid=watch-files]"), lambda t: t == "3 files", "Settings to count 3 files")
        added = s.execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.replace(/\\s+/g, ' ').trim())",
            self.folder("[data-testid=watch-event][data-kind=added]"))
        check(len(added) == 3 and all(a.startswith("Added ") for a in added), f"activity: {added}")
        self.shots.page(s, "settings-activity-added")

    def c_rename(self) -> None:
        s = self.s
        old = self.files[0]
        old_name = os.path.basename(old)
        new_name = "renamed " + old_name
        image_id = self.ids[old_name]
        new = os.path.join(self.dir, new_name)
        os.rename(old, new)
        self.files[0] = new
        log(f"renamed {old_name!r} to {new_name!r}")

        wait_until("the CLI to show the new file name",
                   lambda: cli(self.lib, "show", image_id)["filename"] == new_name, timeout=20, interval=0.25)
        recs = ls(self.lib)
        check(len(recs) == 3, f"after the rename the CLI lists {len(recs)} images: {[r['filename'] for r in recs]}")
        check(any(r["id"] == image_id and r["filename"] == new_name for r in recs), "the renamed image lost its id")

        s.wait_text(self.folder("[data-testid=watch-event][data-kind=moved]"),
                    lambda t: " ".join(t.split()).startswith(f"Moved {new_name} — from {old_name}"),
                    "the rename in the activity list")
        self.shots.page(s, "settings-activity-moved")

        st = self.gallery(3, "still 3 images after the rename")
        check(image_id in st["ids"], "the renamed image left the grid")
        s.wait_for(cell_sel(image_id)).click()
        s.wait_for(DETAIL)
        s.wait_text(DETAIL_FILENAME, lambda t: t == new_name, "the detail view to show the new name")
        s.wait_for("[data-testid=detail-preview].loaded", timeout=15)
        self.shots.page(s, "detail-renamed")
        s.find(DETAIL_CLOSE).click()
        s.wait_gone(DETAIL)

    def d_pause(self) -> None:
        s = self.s
        self.open_settings()
        pause = s.find(self.folder("[data-testid=watch-pause]"))
        check(pause.text == "Pause", f"the button says {pause.text!r}")
        pause.click()
        self.wait_status("paused")
        s.wait_text(self.folder("[data-testid=watch-pause]"), lambda t: t == "Resume", "the button to offer Resume")
        wait_until("the CLI to list the folder paused", lambda: cli(self.lib, "watch", "list")[0]["paused"] is True, timeout=10)

        log("the watcher reports the folder paused")
        self.spare = self.copy_in(self.pics[3])
        log(f"copied {os.path.basename(self.spare)!r} into the paused folder; waiting {PAUSED_WAIT_S} s")
        deadline = time.monotonic() + PAUSED_WAIT_S
        while time.monotonic() < deadline:
            n = len(ls(self.lib))
            check(n == 3, f"the paused folder imported a file: the CLI lists {n} images")
            time.sleep(0.5)
        self.shots.page(s, "settings-paused")
        st = self.gallery(3, "still 3 images while paused")
        check(os.path.basename(self.spare) not in st["names"], "the new photo is in the grid while paused")
        s.wait_text(self.sidebar(), lambda t: "paused" in t, "the sidebar to say paused")
        self.shots.page(s, "grid-while-paused")

    def e_resume(self) -> None:
        s = self.s
        self.open_settings()
        s.find(self.folder("[data-testid=watch-pause]")).click()
        self.wait_status("watching")
        t0 = time.monotonic()
        st = self.gallery(4, "the photo copied while paused to appear after Resume", timeout=30)
        log(f"it appeared {time.monotonic() - t0:.1f} s after Resume")
        check(os.path.basename(self.spare) in st["names"], f"grid names {st['names']}")
        wait_thumbs_painted(s, "thumbnails after Resume")
        self.shots.page(s, "grid-after-resume")

    def f_options(self) -> None:
        s = self.s
        self.open_settings()
        s.find(self.folder("[data-testid=watch-edit]")).click()
        form = self.folder("[data-testid=watch-form]")
        s.wait_for(form)
        check(s.find(self.folder("[data-testid=watch-opt-tags]")).prop("value") == TAG, "the form lacks the saved tag")
        check(s.find(self.folder("[data-testid=watch-opt-recursive]")).prop("checked") is True, "subfolders unchecked")
        check(s.find(self.folder("[data-testid=watch-opt-on-delete-keep]")).prop("checked") is True, "on delete is not keep")
        s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", form)
        self.shots.page(s, "options-form")

        tags = s.find(self.folder("[data-testid=watch-opt-tags]"))
        tags.clear()
        tags.send_keys(f"{TAG}, e2e")
        s.find(self.folder("[data-testid=watch-opt-on-delete-remove]")).click()
        s.find(self.folder("[data-testid=watch-form-save]")).click()
        s.wait_gone(form)
        s.wait_text(self.folder("[data-testid=watch-options]"),
                    lambda t: f"tags: {TAG}, e2e" in t and "deleted files leave the library" in t, "the new options summary")
        listed = cli(self.lib, "watch", "list")
        check(len(listed) == 1 and sorted(listed[0]["tags"]) == sorted([TAG, "e2e"]) and listed[0]["on_delete"] == "remove",
              f"CLI watch list after saving options: {listed}")
        check(listed[0]["recursive"] is True and listed[0]["copy"] is False, f"other options changed: {listed[0]}")
        # New options restart the folder: it rescans and is watched again.
        self.wait_status("watching")
        self.shots.page(s, "options-saved")

    def g_remove(self) -> None:
        s = self.s
        self.open_settings()
        s.find(self.folder("[data-testid=watch-remove]")).click()
        dialog = s.wait_for(self.folder(CONFIRM))
        check("images stay in the library" in dialog.text, f"confirmation: {dialog.text!r}")
        self.shots.page(s, "remove-confirm")
        s.find(self.folder("[data-testid=watch-remove-confirm-button]")).click()
        s.wait_gone(self.folder())
        s.wait_gone(self.sidebar())
        s.wait_for(SIDEBAR_ADD)
        s.wait_for("[data-testid=watch-empty]")
        check(cli(self.lib, "watch", "list") == [], "the CLI still lists the folder")
        self.shots.page(s, "settings-removed")

        recs = ls(self.lib)
        check(len(recs) == 4, f"after removing the folder the CLI lists {len(recs)} images")
        st = self.gallery(4, "the 4 images to stay in the grid")
        check(all(os.path.exists(p) for p in self.files + [self.spare]), "a file in the folder was touched")
        wait_thumbs_painted(s, "thumbnails after the removal")
        # A file copied in now is no longer imported.
        self.copy_in(self.pics[0], "day 2")
        time.sleep(2)
        check(len(ls(self.lib)) == 4, "the removed folder still imports")
        check(grid_state(s)["total"] == 4, "the grid changed after the folder was removed")
        self.shots.page(s, "grid-after-remove")
        log(f"kept {len(st['ids'])} images after the folder was removed")


def journey(stack: contextlib.ExitStack, shots: Shots, work: str) -> Optional[str]:
    lib = os.path.join(work, "library")
    app = stack.enter_context(App(lib, state_dir=os.path.join(work, "state"), log_name="watch/driver"))
    s = app.start()
    log(f"app session up in {app.started_in:.1f} s")
    j = Journey(s, lib, work, shots)
    return run_steps(s, shots, [j.a_folder_added_by_cli, j.b_photos_arrive, j.c_rename, j.d_pause, j.e_resume,
                                j.f_options, j.g_remove])


def main() -> int:
    require_display()
    return run_journey("watch", journey)


if __name__ == "__main__":
    sys.exit(main())
