"""A small W3C WebDriver client (Python 3 stdlib only) and a tauri-driver process wrapper.

    with TauriDriver() as driver:
        s = Session.start(driver.url, app="/abs/target/debug/vitrine-app", args=["--library", d])
        try:
            s.find("[data-testid=grid]").click()
        finally:
            s.quit()

tauri-driver turns `tauri:options` into WebKitWebDriver's `webkitgtk:browserOptions`
(`binary` + `args`). It is stopped with SIGTERM, never SIGKILL: SIGKILL leaves
WebKitWebDriver and the app running.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Optional, TypeVar

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
T = TypeVar("T")


class WebDriverError(Exception):
    def __init__(self, error: str, message: str, status: int = 0):
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
        self.status = status


class TimeoutError_(AssertionError):
    """A wait ran out of time (an AssertionError, so a test reports it as a failure)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(method: str, url: str, body: Any = None, timeout: float = 60) -> Any:
    data = None if body is None else json.dumps(body).encode()
    # tauri-driver's pooled connection to WebKitWebDriver sometimes turns out closed when it is
    # reused ("client error (SendRequest)" in its log); it then drops our connection without an
    # answer, and the command never reached the browser. Retry those, a few times.
    for attempt in range(4):
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                payload = r.read()
                status = r.status
            break
        except urllib.error.HTTPError as e:
            payload = e.read()
            status = e.code
            break
        except (http.client.RemoteDisconnected, ConnectionResetError):
            if attempt == 3:
                raise
            time.sleep(0.1 * (attempt + 1))
    try:
        doc = json.loads(payload.decode() or "null")
    except ValueError:
        raise WebDriverError("invalid response", f"HTTP {status}: {payload[:300]!r}", status)
    value = doc.get("value") if isinstance(doc, dict) else doc
    if status >= 400 or (isinstance(value, dict) and "error" in value and status != 200):
        v = value if isinstance(value, dict) else {}
        raise WebDriverError(v.get("error", f"HTTP {status}"), v.get("message", str(doc)[:500]), status)
    return value


def wait_until(what: str, fn: Callable[[], Optional[T]], timeout: float = 15, interval: float = 0.1) -> T:
    """Polls `fn` until it returns something truthy; WebDriver 'no such element' and stale
    references count as not yet. Raises TimeoutError_ naming `what` and the last error seen."""
    deadline = time.monotonic() + timeout
    last_err: Optional[BaseException] = None
    while True:
        try:
            v = fn()
            if v:
                return v
            last_err = None
        except WebDriverError as e:
            if e.error not in ("no such element", "stale element reference", "javascript error"):
                raise
            last_err = e
        except AssertionError as e:  # a check that may become true later
            last_err = e
        if time.monotonic() >= deadline:
            extra = f" (last: {last_err})" if last_err else ""
            raise TimeoutError_(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(interval)


class TauriDriver:
    """Runs `tauri-driver` on free ports; a context manager that always stops it."""

    def __init__(self, native_driver: Optional[str] = None, env: Optional[dict] = None, log_path: Optional[str] = None):
        self.port = free_port()
        self.native_port = free_port()
        exe = shutil.which("tauri-driver") or os.path.expanduser("~/.cargo/bin/tauri-driver")
        if not os.path.exists(exe):
            raise RuntimeError("tauri-driver not found: run scripts/setup --e2e")
        native = native_driver or shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
        if not os.path.exists(native):
            raise RuntimeError("WebKitWebDriver not found: run scripts/setup --e2e (package webkit2gtk-driver)")
        cmd = [exe, "--port", str(self.port), "--native-port", str(self.native_port), "--native-driver", native]
        self.log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_until("tauri-driver to listen", self._up, timeout=15)
        except BaseException:
            self.stop()
            raise

    def _up(self) -> bool:
        """tauri-driver listens at once; WebKitWebDriver behind it a little later, so ask for
        /status through it (forwarded to the native driver)."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"tauri-driver exited with status {self.proc.returncode}")
        try:
            v = _request("GET", f"{self.url}/status", timeout=2)
            return bool(v is not None)
        except (OSError, WebDriverError):
            return False

    def descendants(self) -> list[int]:
        """PIDs of every process under tauri-driver (WebKitWebDriver, the app, WebKit's)."""
        return process_descendants(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM to tauri-driver (it ends WebKitWebDriver, which ends the app); whatever of
        the tree is still there after that gets a SIGTERM of its own. Waits until all are gone."""
        if self.proc.poll() is None:
            kids = self.descendants()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kids.append(self.proc.pid)
            deadline = time.monotonic() + 10
            termed = False
            while time.monotonic() < deadline:
                alive = [p for p in kids if _alive(p)]
                if not alive:
                    break
                if not termed and time.monotonic() > deadline - 8:
                    for pid in alive:
                        try:
                            os.kill(pid, signal.SIGTERM)
                        except ProcessLookupError:
                            pass
                    termed = True
                time.sleep(0.1)
            if self.proc.poll() is None:
                try:
                    self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
        if self.log is not subprocess.DEVNULL:
            self.log.close()
            self.log = subprocess.DEVNULL

    def __enter__(self) -> "TauriDriver":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def process_descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may contain spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def process_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class Element:
    def __init__(self, session: "Session", eid: str):
        self.s = session
        self.id = eid

    def _p(self, suffix: str) -> str:
        return f"element/{self.id}/{suffix}"

    def click(self) -> "Element":
        self.s._cmd("POST", self._p("click"), {})
        return self

    def clear(self) -> "Element":
        self.s._cmd("POST", self._p("clear"), {})
        return self

    def send_keys(self, text: str) -> "Element":
        self.s._cmd("POST", self._p("value"), {"text": text})
        return self

    @property
    def text(self) -> str:
        return self.s._cmd("GET", self._p("text"))

    def attr(self, name: str) -> Optional[str]:
        return self.s._cmd("GET", self._p(f"attribute/{name}"))

    def prop(self, name: str) -> Any:
        return self.s._cmd("GET", self._p(f"property/{name}"))

    def displayed(self) -> bool:
        return bool(self.s._cmd("GET", self._p("displayed")))

    def find(self, css: str) -> "Element":
        return self.s._el(self.s._cmd("POST", self._p("element"), {"using": "css selector", "value": css}))

    def find_all(self, css: str) -> list["Element"]:
        return [self.s._el(v) for v in self.s._cmd("POST", self._p("elements"), {"using": "css selector", "value": css})]

    def screenshot(self, path: str) -> str:
        return _write_png(path, self.s._cmd("GET", self._p("screenshot")))

    def to_json(self) -> dict:
        return {ELEMENT_KEY: self.id}


def _write_png(path: str, b64: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(b64))
    return path


def _args(args: tuple) -> list:
    return [a.to_json() if isinstance(a, Element) else a for a in args]


class Session:
    def __init__(self, base: str, sid: str):
        self.base = base
        self.id = sid

    @classmethod
    def start(cls, driver_url: str, app: str, args: Optional[list[str]] = None, timeout: float = 90) -> "Session":
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": os.path.abspath(app), "args": args or []}}}}
        # Right after start-up tauri-driver may drop the connection while WebKitWebDriver
        # settles: retry a few times on a dropped connection (not on a WebDriver error).
        for attempt in range(5):
            try:
                v = _request("POST", f"{driver_url}/session", caps, timeout=timeout)
                break
            except (ConnectionError, urllib.error.URLError):
                if attempt == 4:
                    raise
                time.sleep(0.5)
        s = cls(driver_url, v["sessionId"])
        s._cmd("POST", "timeouts", {"script": 30000, "pageLoad": 60000, "implicit": 0})
        return s

    def _cmd(self, method: str, path: str, body: Any = None, timeout: float = 60) -> Any:
        return _request(method, f"{self.base}/session/{self.id}/{path}", body, timeout)

    def _el(self, v: Any) -> Element:
        return Element(self, v[ELEMENT_KEY])

    def quit(self) -> None:
        try:
            _request("DELETE", f"{self.base}/session/{self.id}", timeout=20)
        except (WebDriverError, OSError):
            pass

    # --- finding -------------------------------------------------------------------------
    def find(self, css: str) -> Element:
        return self._el(self._cmd("POST", "element", {"using": "css selector", "value": css}))

    def find_all(self, css: str) -> list[Element]:
        return [self._el(v) for v in self._cmd("POST", "elements", {"using": "css selector", "value": css})]

    def wait_for(self, css: str, timeout: float = 15, visible: bool = True) -> Element:
        def probe():
            for e in self.find_all(css):
                if not visible or e.displayed():
                    return e
            return None

        return wait_until(f"{css!r} to be {'visible' if visible else 'present'}", probe, timeout)

    def wait_gone(self, css: str, timeout: float = 15) -> None:
        wait_until(f"{css!r} to disappear", lambda: not any(e.displayed() for e in self.find_all(css)), timeout)

    def count(self, css: str) -> int:
        return self.execute("return document.querySelectorAll(arguments[0]).length", css)

    def wait_count(self, css: str, pred: Callable[[int], bool], what: str, timeout: float = 15) -> int:
        seen = []

        def probe():
            n = self.count(css)
            seen.append(n)
            return n if pred(n) else None

        try:
            return wait_until(what, probe, timeout)
        except TimeoutError_ as e:
            raise TimeoutError_(f"{e} (count of {css!r} was {seen[-1] if seen else '?'})") from None

    def texts(self, css: str) -> list[str]:
        """innerText of every match (rendered text, as a person reads it)."""
        return self.execute("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)", css)

    def wait_text(self, css: str, pred: Callable[[str], bool], what: str, timeout: float = 15) -> str:
        seen = [""]

        def probe():
            ts = self.texts(css)
            t = " | ".join(x.strip() for x in ts)
            seen[0] = t
            return t if ts and pred(t) else None

        try:
            return wait_until(what, probe, timeout)
        except TimeoutError_ as e:
            raise TimeoutError_(f"{e} (text of {css!r} was {seen[0]!r})") from None

    # --- scripts -------------------------------------------------------------------------
    def execute(self, script: str, *args: Any) -> Any:
        return self._cmd("POST", "execute/sync", {"script": script, "args": _args(args)})

    def execute_async(self, script: str, *args: Any, timeout: float = 60) -> Any:
        """The script gets its callback as the last argument: `arguments[arguments.length-1]`."""
        return self._cmd("POST", "execute/async", {"script": script, "args": _args(args)}, timeout=timeout)

    # --- keys ----------------------------------------------------------------------------
    def press(self, *keys: str) -> None:
        """Key presses through the actions API (e.g. "\\ue00c" Escape, "\\ue007" Enter)."""
        actions = []
        for k in keys:
            actions += [{"type": "keyDown", "value": k}, {"type": "keyUp", "value": k}]
        self._cmd("POST", "actions", {"actions": [{"type": "key", "id": "kbd", "actions": actions}]})
        self._cmd("DELETE", "actions")

    # --- window & screenshots ------------------------------------------------------------
    @property
    def title(self) -> str:
        return self._cmd("GET", "title")

    @property
    def url(self) -> str:
        return self._cmd("GET", "url")

    def window_rect(self) -> dict:
        return self._cmd("GET", "window/rect")

    def screenshot(self, path: str) -> str:
        return _write_png(path, self._cmd("GET", "screenshot"))


KEY_ENTER = "\ue007"
KEY_ESCAPE = "\ue00c"
KEY_DELETE = "\ue017"
