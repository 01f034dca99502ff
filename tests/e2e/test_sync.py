#!/usr/bin/env python3
"""End-to-end journey of bucket sync in the real app (WebKit window under Xvfb, tauri-driver),
against a real S3-compatible server on 127.0.0.1 and the real OS keychain (gnome-keyring on a
private D-Bus session: scripts/e2e runs this under scripts/with-keyring).

    scripts/e2e                                   # runs test_app.py, then this
    E2E_SCRIPT=tests/e2e/test_sync.py scripts/e2e --no-build

Steps (screenshots under target/e2e-screenshots/sync/):
  a. Settings → Bucket: MinIO preset, endpoint, bucket, public URL (a loopback web server over
     the bucket's folder), keys typed into the form; saved → the keychain holds an entry
     (secret-tool), the secret is nowhere in the library or the app's config
  b. "Test bucket": every check passes, the public URL one through the web server
  c. photos dropped with a real XDND drag: each shows synced; the aws CLI finds each object
     with its Content-Type and sha256 metadata
  d. one made public: its link from the detail view serves the same bytes from the public URL
  e. made private again: the public link 404s once synced; a presigned link (10 min, from the
     UI) serves the bytes; a 3-second one (through the IPC) works, then expires (403)
  f. a wrong secret saved in Settings: the next upload stops sync with the server's refusal in
     the sidebar; the keys fixed (by the CLI, in the same keychain) and "Retry": synced
Exit status 0 only if every step passed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    TARGET, App, Shots, StaticServer, cli, drop, log, photos, require_display, run_journey, run_steps, wait_until,
)
from test_app import CELL, DETAIL, DETAIL_CLOSE, cell_sel, check, wait_grid, wait_thumbs_painted  # noqa: E402
from webdriver import Session  # noqa: E402

S3_SERVER = os.environ.get("VITRINE_E2E_S3_SERVER") or os.path.join(TARGET, "debug", "examples", "s3_server")
AWS = "/usr/bin/aws"
BUCKET = "pics"
ACCESS_KEY = "vitrine-test"
SECRET_KEY = "vitrine-test-secret"

SYNC_TEXT = "[data-testid=sync-text]"
SHARE_URL = "[data-testid=share-url]"


# --- the S3 server and what landed in it ----------------------------------------------------
class S3Server:
    """examples/s3_server (s3s-fs: SigV4 and presigned expiry checked like AWS) over ROOT."""

    def __init__(self, root: str):
        self.root = root
        self.proc = subprocess.Popen([S3_SERVER, "--root", root, "--bucket", BUCKET, "--access-key", ACCESS_KEY,
                                      "--secret-key", SECRET_KEY], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("PORT="):
            self.stop()
            raise AssertionError(f"s3_server did not start: {line!r}")
        self.port = int(line[5:])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def aws(s3: S3Server, *args: str) -> dict:
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    env.pop("AWS_CA_BUNDLE", None)
    r = subprocess.run([AWS, "--endpoint-url", s3.endpoint, "--output", "json", "s3api", *args],
                       capture_output=True, text=True, timeout=60, env=env)
    if r.returncode != 0:
        raise AssertionError(f"aws s3api {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout) if r.stdout.strip() else {}


def keys_under(s3: S3Server, prefix: str) -> list[str]:
    out = aws(s3, "list-objects-v2", "--bucket", BUCKET, "--prefix", prefix)
    return sorted(o["Key"] for o in out.get("Contents", []))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def files_containing(top: str, needle: bytes) -> list[str]:
    hits = []
    for dirpath, _, names in os.walk(top):
        for n in names:
            p = os.path.join(dirpath, n)
            try:
                with open(p, "rb") as f:
                    if needle in f.read():
                        hits.append(p)
            except OSError:
                pass
    return hits


# --- the steps -----------------------------------------------------------------------------
class Journey:
    def __init__(self, s: Session, app: App, lib: str, work: str, shots: Shots, s3: S3Server, web: StaticServer):
        self.s, self.app, self.lib, self.work, self.shots, self.s3, self.web = s, app, lib, work, shots, s3, web
        self.public_url = web.url("").rstrip("/")
        self.ids: dict[str, str] = {}

    def a_configure_bucket(self) -> None:
        s = self.s
        s.wait_for("[data-testid=empty-state]", timeout=30)
        s.wait_text(SYNC_TEXT, lambda t: t == "No bucket", "the sidebar to say there is no bucket")
        s.find("[data-testid=sync-setup]").click()
        s.wait_for("[data-testid=settings-bucket]")
        s.wait_for("[data-testid=bucket-provider]")
        s.execute("""
            const sel = document.querySelector('[data-testid=bucket-provider]');
            sel.value = 'minio';
            sel.dispatchEvent(new Event('change', {bubbles: true}));""")
        s.wait_for("[data-testid=bucket-endpoint]")
        check(s.count("[data-testid=bucket-path-style]") == 0, "MinIO forces path-style: no toggle expected")
        for sel, text in (("bucket-endpoint", self.s3.endpoint), ("bucket-name", BUCKET),
                          ("bucket-public-url", self.public_url), ("bucket-access-key", ACCESS_KEY),
                          ("bucket-secret", SECRET_KEY)):
            el = s.find(f"[data-testid={sel}]")
            el.click()
            el.send_keys(text)
        check(s.find("[data-testid=bucket-secret]").attr("type") == "password", "the secret field is a password field")
        s.execute("document.querySelector('[data-testid=settings-bucket]').scrollIntoView({block: 'start'})")
        self.shots.page(s, "bucket-form-filled")
        s.find("[data-testid=bucket-save]").click()
        s.wait_for("[data-testid=bucket-saved]", timeout=20)
        s.wait_text("[data-testid=bucket-credentials]", lambda t: t == "Saved in the OS keychain",
                    "the form to say the keys are in the keychain")
        check(s.find("[data-testid=bucket-secret]").prop("value") == "", "the secret field was not cleared after saving")
        check(s.find("[data-testid=bucket-secret]").attr("placeholder") == "saved in keychain",
              "the secret field does not say it is saved in the keychain")

        # The keychain has Vitrine's entry; the secret is nowhere on disk that Vitrine owns.
        r = subprocess.run(["secret-tool", "search", "--all", "service", "vitrine"], capture_output=True, text=True,
                           timeout=20)
        check(r.returncode == 0 and "service = vitrine" in r.stdout + r.stderr,
              f"secret-tool found no Vitrine entry (exit {r.returncode})")
        log("secret-tool: the keychain holds a Vitrine entry")
        for top in (self.lib, self.app.state_dir):
            hits = files_containing(top, SECRET_KEY.encode())
            check(not hits, f"the secret is written in {hits}")
        remote = cli(self.lib, "remote", "show")
        check(remote["provider"] == "minio" and remote["path_style"] is True and remote["public_url"] == self.public_url,
              f"CLI remote show: {remote}")
        check(remote["credentials"] == "keychain", f"the CLI reads the credentials from {remote['credentials']!r}")
        self.shots.page(s, "bucket-saved")

    def b_test_bucket(self) -> None:
        s = self.s
        s.find("[data-testid=bucket-test]").click()
        s.wait_for("[data-testid=probe]", timeout=60)
        checks = s.execute("""
            return [...document.querySelectorAll('[data-testid=probe-check]')]
                .map(li => [li.dataset.check, li.dataset.status, li.textContent.trim()]);""")
        log("Test bucket: " + ", ".join(f"{c}={st}" for c, st, _ in checks))
        failed = [c for c in checks if c[1] != "pass"]
        check(not failed, f"checks that did not pass: {failed}")
        names = [c[0] for c in checks]
        for want in ("credentials", "bucket", "write and read", "presigned link", "multipart upload", "delete",
                     "public URL"):
            check(want in names, f"no {want!r} check in {names}")
        s.execute("document.querySelector('[data-testid=probe]').scrollIntoView({block: 'end'})")
        self.shots.page(s, "test-bucket-passed")

    def c_drop_and_sync(self) -> None:
        s = self.s
        pics = photos(3, os.path.join(self.work, "generated"))
        src = os.path.join(self.work, "to-drop")
        os.makedirs(src)
        dropped = []
        for p in pics:
            dst = os.path.join(src, os.path.basename(p))
            shutil.copyfile(p, dst)
            dropped.append(dst)
        s.find("[data-testid=filter-all]").click()
        s.wait_for("[data-testid=empty-state]")
        log(f"dragging {len(dropped)} photos onto the window")
        proc = drop(dropped, hover=2)
        out, _ = proc.communicate(timeout=30)
        check(proc.returncode == 0, f"the XDND drop was not accepted (drop.sh exit {proc.returncode}): {out.strip()}")
        n = len(dropped)
        wait_grid(s, n, f"{n} cells in the grid", timeout=60)

        def all_synced():
            states = s.execute("return [...document.querySelectorAll(arguments[0])].map(c => c.dataset.remote)", CELL)
            return states if states and all(x == "synced" for x in states) else None

        t0 = time.monotonic()
        wait_until("every cell to show synced", all_synced, timeout=90, interval=0.25)
        log(f"all {n} photos synced {time.monotonic() - t0:.1f} s after they were in the grid")
        s.wait_text(SYNC_TEXT, lambda t: t == "Synced", "the sidebar to say Synced", timeout=30)
        s.wait_text("[data-testid=filter-remote-synced] .count", lambda t: t == str(n), f"the sidebar to count {n} synced")
        wait_thumbs_painted(s, "thumbnails of the synced photos")
        self.shots.page(s, "dropped-and-synced")

        recs = cli(self.lib, "ls") or []
        check(len(recs) == n, f"CLI ls: {len(recs)} images")
        self.recs = {r["id"]: r for r in recs}
        keys = keys_under(self.s3, "private/")
        log(f"aws list-objects-v2 private/: {len(keys)} objects")
        for r in recs:
            check(r["remote_state"] == "synced", f"{r['filename']}: remote_state {r['remote_state']}")
            key = r["object_key"]
            check(key == f"private/{r['sha256'][:2]}/{r['sha256']}.jpg", f"{r['filename']}: object key {key}")
            check(key in keys, f"{key} is not in the bucket listing {keys}")
            head = aws(self.s3, "head-object", "--bucket", BUCKET, "--key", key)
            check(head.get("ContentType") == "image/jpeg", f"{key}: Content-Type {head.get('ContentType')}")
            check(head.get("Metadata", {}).get("sha256") == r["sha256"], f"{key}: metadata {head.get('Metadata')}")
            check(head.get("ContentLength") == r["bytes"], f"{key}: {head.get('ContentLength')} bytes, not {r['bytes']}")
        self.ids = {r["filename"]: r["id"] for r in recs}

    def _open(self, image_id: str) -> None:
        s = self.s
        if s.count(DETAIL):
            return
        s.wait_for(cell_sel(image_id)).click()
        s.wait_for(DETAIL)
        s.wait_for("[data-testid=detail-preview].loaded", timeout=15)

    def _wait_detail(self, what: str, js_condition: str, timeout: float = 60) -> None:
        """Waits until JS_CONDITION (an expression over `state`, the detail view's sync state,
        `kind`, the shown link's kind, `notReady` and `canCopy`) holds."""
        s = self.s

        def probe():
            return s.execute("""
                const q = (sel) => document.querySelector(sel);
                const state = q('[data-testid=detail-remote-state]')?.dataset.state;
                const kind = q('[data-testid=share]')?.dataset.kind;
                const notReady = !!q('[data-testid=share-not-ready]');
                const copy = q('[data-testid=copy-link-url]');
                const canCopy = !!copy && !copy.disabled;
                return """ + js_condition + ";")

        wait_until(what, probe, timeout=timeout, interval=0.2)

    def d_public_link(self) -> None:
        s = self.s
        image_id = sorted(self.ids.values())[0]
        rec = self.recs[image_id]
        self.subject = image_id
        self._open(image_id)
        key = f"public/{rec['sha256'][:2]}/{rec['sha256']}.jpg"
        expected = f"{self.public_url}/{key}"
        s.find("[data-testid=visibility-public]").click()
        wait_until("the public URL to serve the image", lambda: fetch(expected)[0] == 200, timeout=60, interval=0.25)
        self._wait_detail("the detail view to show the ready public link, synced",
                          "state === 'synced' && kind === 'public' && !notReady")
        url = s.find(SHARE_URL).prop("value")
        check(url == expected, f"public link {url!r}, expected {expected!r}")
        self.public_link = url
        self.shots.page(s, "public-link")
        status, body = fetch(url)
        check(status == 200, f"GET {url}: HTTP {status}")
        head = aws(self.s3, "head-object", "--bucket", BUCKET, "--key", key)
        check(head.get("CacheControl") == "public, max-age=31536000, immutable", f"{key}: Cache-Control {head.get('CacheControl')}")
        check(sha256(body) == head["Metadata"]["sha256"], "the public URL serves other bytes than the bucket object")
        with open(os.path.join(self.work, "to-drop", rec["filename"]), "rb") as f:
            original = f.read()
        if head["Metadata"]["sha256"] == rec["sha256"]:
            check(body == original, "the public URL does not serve the original's bytes")
            log(f"public link serves the original's {len(body)} bytes")
        else:
            log(f"public link serves the stripped copy ({len(body)} bytes; GPS/serial removed)")
        check(key in keys_under(self.s3, "public/"), f"{key} not in the bucket's public area")

    def e_private_again(self) -> None:
        s = self.s
        rec = self.recs[self.subject]
        s.find("[data-testid=visibility-private]").click()
        wait_until("the public link to stop working (404)", lambda: fetch(self.public_link)[0] == 404, timeout=60,
                   interval=0.25)
        log("public link now answers 404")
        self._wait_detail("the detail view to offer a presigned link, synced",
                          "state === 'synced' && canCopy && !!document.querySelector('[data-testid=expiry-600]')")
        key = f"private/{rec['sha256'][:2]}/{rec['sha256']}.jpg"
        check(key in keys_under(self.s3, "private/"), f"{key} is not back in the private area")

        # A presigned link from the UI, 10 minutes.
        s.wait_for("[data-testid=expiry-600]").click()
        wait_until("the 10 min expiry to be chosen",
                   lambda: s.find("[data-testid=expiry-600]").attr("aria-checked") == "true")
        s.find("[data-testid=copy-link-url]").click()
        s.wait_text("[data-testid=share-expiry]", lambda t: t.startswith("Expires"), "the link's expiry to be shown")
        url = s.find(SHARE_URL).prop("value")
        check(url.startswith(f"{self.s3.endpoint}/{BUCKET}/{key}?") and "X-Amz-Expires=600" in url, f"presigned link {url!r}")
        status, body = fetch(url)
        check(status == 200 and sha256(body) == rec["sha256"], f"GET presigned link: HTTP {status}")
        with open(os.path.join(self.work, "to-drop", rec["filename"]), "rb") as f:
            check(body == f.read(), "the presigned link serves other bytes than the original")
        self.shots.page(s, "private-presigned-link")

        # A 3-second link through the same IPC the UI uses: works, then expires.
        link = s.execute_async("""
            const done = arguments[arguments.length - 1];
            window.__TAURI_INTERNALS__.invoke('image_link', {id: arguments[0], format: 'url', expires: 3})
              .then(done, e => done({error: e}));""", self.subject, timeout=30)
        check(isinstance(link, dict) and link.get("kind") == "presigned", f"image_link: {link}")
        status, _ = fetch(link["url"])
        check(status == 200, f"a fresh 3-second link: HTTP {status}")
        time.sleep(4.5)
        status, _ = fetch(link["url"])
        check(status == 403, f"an expired link: HTTP {status} (want 403)")
        log("a 3-second presigned link worked, then answered 403 once expired")
        s.find(DETAIL_CLOSE).click()
        s.wait_gone(DETAIL)
        s.wait_text(SYNC_TEXT, lambda t: t == "Synced", "the sidebar to say Synced", timeout=30)
        self.shots.page(s, "all-synced")

    def f_auth_error_and_retry(self) -> None:
        s = self.s
        s.find("[data-testid=nav-settings]").click()
        s.wait_for("[data-testid=bucket-secret]")
        for sel, text in (("bucket-access-key", ACCESS_KEY), ("bucket-secret", "not-the-secret")):
            el = s.find(f"[data-testid={sel}]")
            el.click()
            el.send_keys(text)
        s.find("[data-testid=bucket-save]").click()
        s.wait_for("[data-testid=bucket-saved]", timeout=20)
        s.find("[data-testid=filter-all]").click()
        n = len(self.ids)

        spare = photos(n + 1, os.path.join(self.work, "generated"))[n]
        out = cli(self.lib, "import", spare)
        out = out if isinstance(out, list) else [out]
        check(out and out[0]["status"] == "imported", f"CLI import: {out}")
        new_id = out[0]["id"]
        s.wait_for(cell_sel(new_id), timeout=15)
        s.wait_for("[data-testid=sync-indicator][data-tone=error]", timeout=60)
        why = s.execute("return document.querySelector('[data-testid=sync-error]').textContent.trim()")
        log(f"sync stopped: {why!r}")
        check(s.find(SYNC_TEXT).text == "Sync stopped", "the sidebar does not say sync stopped")
        check(why and "not-the-secret" not in why, f"the error message: {why!r}")
        check(s.find(cell_sel(new_id)).attr("data-remote") == "pending", "the new image is not pending")
        self.shots.page(s, "sync-stopped-wrong-secret")

        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        r = subprocess.run([os.path.join(TARGET, "debug", "vitrine"), "--library", self.lib, "--json", "remote", "add",
                            "main", "--provider", "minio", "--endpoint", self.s3.endpoint, "--bucket", BUCKET,
                            "--public-url", self.public_url], capture_output=True, text=True, timeout=60, env=env)
        check(r.returncode == 0, f"vitrine remote add exited {r.returncode}: {r.stderr.strip()}")
        check("saved in the OS keychain" in r.stdout, f"the CLI did not save the keys in the keychain: {r.stdout}")
        s.find("[data-testid=sync-retry]").click()
        wait_until("the new image to be synced after Retry",
                   lambda: s.find(cell_sel(new_id)).attr("data-remote") == "synced", timeout=60, interval=0.25)
        s.wait_text(SYNC_TEXT, lambda t: t == "Synced", "the sidebar to say Synced after Retry", timeout=30)
        rec = cli(self.lib, "show", new_id)
        check(rec["remote_state"] == "synced" and rec["object_key"] in keys_under(self.s3, "private/"),
              f"after Retry: {rec['remote_state']}, {rec['object_key']}")
        self.shots.page(s, "synced-after-retry")


def journey(stack: contextlib.ExitStack, shots: Shots, work: str) -> Optional[str]:
    lib = os.path.join(work, "library")
    s3 = S3Server(os.path.join(work, "s3"))
    stack.callback(s3.stop)
    web = StaticServer(os.path.join(work, "s3", BUCKET))
    stack.callback(web.stop)
    log(f"s3 server on {s3.endpoint}; public URL {web.url('')}")
    app = stack.enter_context(App(lib, state_dir=os.path.join(work, "state"), log_name="sync/driver"))
    s = app.start()
    log(f"app session up in {app.started_in:.1f} s")
    j = Journey(s, app, lib, work, shots, s3, web)
    return run_steps(s, shots, [j.a_configure_bucket, j.b_test_bucket, j.c_drop_and_sync, j.d_public_link,
                                j.e_private_again, j.f_auth_error_and_retry])


def main() -> int:
    require_display()
    if not os.path.exists(S3_SERVER):
        sys.exit(f"{S3_SERVER} is missing: cargo build --all-features --example s3_server (scripts/e2e does)")
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)  # the app must take its keys from the keychain, not from here
    return run_journey("sync", journey)


if __name__ == "__main__":
    sys.exit(main())
