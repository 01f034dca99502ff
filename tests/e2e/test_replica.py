#!/usr/bin/env python3
"""End-to-end journey of a library shared through the bucket, in the real app (WebKit window
under Xvfb, tauri-driver): a second computer's library is attached to a bucket that the CLI
filled on the first, and shows the whole gallery (thumbnails from the bucket, no originals);
then changes made with the CLI on the first computer appear in the running app by themselves.

    scripts/e2e                                    # runs every journey, this one included
    E2E_SCRIPT=tests/e2e/test_replica.py scripts/e2e --no-build

The bucket is a folder remote (the same sync engine and log as S3, no credentials), so the two
"computers" are two libraries on this machine. The app pulls every VITRINE_SYNC_INTERVAL (2 s
here; 30 s by default).
Steps (screenshots under target/e2e-screenshots/replica/):
  a. the first library (CLI): 5 photos imported, one tagged, synced to the folder bucket;
     the second library attached to the same bucket (CLI `remote add`), then opened in the app:
     the gallery shows the 5 images with their thumbnails; none of their originals is on this
     computer; the tag is in the sidebar
  b. the CLI tags another image on the first library and syncs: the tag appears in the running
     app's sidebar, and its filter shows that image
  c. the CLI deletes an image on the first library and syncs: the app's grid drops to 4
Exit status 0 only if every step passed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import App, Shots, cli, log, photos, require_display, run_journey, run_steps  # noqa: E402
from test_app import check, grid_state, wait_grid, wait_thumbs_painted  # noqa: E402
from webdriver import Session  # noqa: E402

INTERVAL_S = "2"
FIRST_TAG = "from-the-laptop"
SECOND_TAG = "added-later"


class Journey:
    def __init__(self, s: Session, first: str, second: str, shots: Shots, ids: dict[str, str]):
        self.s, self.first, self.second, self.shots, self.ids = s, first, second, shots, ids

    def wait_tag(self, tag: str, timeout: float = 30) -> None:
        self.s.wait_text("[data-testid=sidebar]", lambda t: tag in t, f"the tag {tag!r} in the sidebar", timeout=timeout)

    def click_tag(self, tag: str) -> None:
        self.s.execute("""
            const b = [...document.querySelectorAll('[data-testid=filter-tag]')]
              .find(e => e.querySelector('.label')?.textContent.trim() === arguments[0]);
            b.click();""", tag)

    def show_all(self) -> None:
        self.s.find("[data-testid=filter-all]").click()

    def a_gallery_from_the_bucket(self) -> None:
        s = self.s
        t0 = time.monotonic()
        st = wait_grid(s, len(self.ids), "the first computer's images in the second one's gallery", timeout=60)
        log(f"{len(st['ids'])} images shown {time.monotonic() - t0:.1f} s after the app started")
        check(sorted(st["ids"]) == sorted(self.ids.values()), f"grid ids {sorted(st['ids'])} != {sorted(self.ids.values())}")
        wait_thumbs_painted(s, "thumbnails that came from the bucket")
        self.shots.page(s, "gallery-from-the-bucket")
        recs = cli(self.second, "ls") or []
        check(len(recs) == len(self.ids), f"the second library lists {len(recs)} images")
        check(all(r["local"] is False for r in recs), "an original was downloaded before it was needed")
        self.wait_tag(FIRST_TAG)

    def b_tag_from_the_other_computer(self) -> None:
        s = self.s
        name = sorted(self.ids)[1]
        image_id = self.ids[name]
        cli(self.first, "tag", image_id, "--add", SECOND_TAG)
        out = cli(self.first, "sync", "--once")
        check(out["pushed"] >= 1, f"the first computer pushed its change: {out}")
        t0 = time.monotonic()
        self.wait_tag(SECOND_TAG)
        log(f"the tag showed up in the app {time.monotonic() - t0:.1f} s after the first computer synced")
        self.click_tag(SECOND_TAG)
        st = wait_grid(s, 1, f"one image tagged {SECOND_TAG!r}")
        check(st["ids"] == [image_id], f"the tag filter shows {st['ids']}, not {image_id}")
        self.shots.page(s, "tag-from-the-other-computer")
        self.show_all()

    def c_delete_from_the_other_computer(self) -> None:
        name = sorted(self.ids)[0]
        image_id = self.ids.pop(name)
        cli(self.first, "rm", image_id)
        cli(self.first, "sync", "--once")
        t0 = time.monotonic()
        st = wait_grid(self.s, len(self.ids), "the deleted image to leave the grid", timeout=30)
        log(f"the delete showed up in the app {time.monotonic() - t0:.1f} s after the first computer synced")
        check(image_id not in st["ids"], "the deleted image is still shown")
        self.shots.page(self.s, "delete-from-the-other-computer")


def journey(stack: contextlib.ExitStack, shots: Shots, work: str) -> Optional[str]:
    first = os.path.join(work, "laptop")
    second = os.path.join(work, "desktop")
    bucket = os.path.join(work, "bucket")
    os.makedirs(bucket)
    pics = photos(5, os.path.join(work, "generated"))
    for p in pics:
        cli(first, "import", p)
    recs = cli(first, "ls")
    ids = {r["filename"]: r["id"] for r in recs}
    check(len(ids) == 5, f"the first library holds {len(ids)} images")
    cli(first, "tag", ids[sorted(ids)[0]], "--add", FIRST_TAG)
    cli(first, "remote", "add", "home", "--provider", "folder", "--path", bucket)
    out = cli(first, "sync", "--once")
    log(f"first computer synced: {out}")
    check(out["failed"] == 0 and out["pushed"] == 5, f"first sync: {out}")
    cli(second, "remote", "add", "home", "--provider", "folder", "--path", bucket)

    os.environ["VITRINE_SYNC_INTERVAL"] = INTERVAL_S
    app = stack.enter_context(App(second, state_dir=os.path.join(work, "state"), log_name="replica/driver"))
    s = app.start()
    log(f"app session up in {app.started_in:.1f} s")
    j = Journey(s, first, second, shots, ids)
    return run_steps(s, shots, [j.a_gallery_from_the_bucket, j.b_tag_from_the_other_computer,
                                j.c_delete_from_the_other_computer])


def main() -> int:
    require_display()
    return run_journey("replica", journey)


if __name__ == "__main__":
    sys.exit(main())
