#!/usr/bin/env python3
"""drag_source.py FILE... : a 120x120 GTK3 window at 0,0 that offers FILEs as text/uri-list
(and text/plain) when dragged; exits when the drag ends: status 0 only if the target accepted.

Adapted from ../shared/tools/drag_source.py. Needs a Python with PyGObject: Debian's
/usr/bin/python3 with python3-gi and gir1.2-gtk-3.0 (scripts/setup --e2e).
"""
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")  # else Gdk 4 may load first and Gtk 3 then fails
from gi.repository import Gtk, Gdk, GLib  # noqa: E402  (order matters)

uris = [GLib.filename_to_uri(os.path.abspath(f), None) for f in sys.argv[1:]]
win = Gtk.Window(title="DragSource")
win.set_default_size(120, 120)
win.move(0, 0)
win.connect("destroy", Gtk.main_quit)
box = Gtk.EventBox()
box.add(Gtk.Label(label="drag me"))
win.add(box)
box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
targets = Gtk.TargetList.new([])
targets.add(Gdk.Atom.intern("text/uri-list", False), 0, 0)
targets.add_text_targets(1)
box.drag_source_set_target_list(targets)


def get(_w, _ctx, sel, info, _time):
    if info == 0:
        sel.set_uris(uris)
    else:
        sel.set_text("".join(u + "\r\n" for u in uris), -1)


box.connect("drag-data-get", get)
failed = []
box.connect("drag-failed", lambda _w, _c, result: failed.append(result.value_nick))
box.connect("drag-end", lambda *_: Gtk.main_quit())
win.show_all()
# Never hang a test run: give up after 60 s.
GLib.timeout_add_seconds(60, lambda: (failed.append("timeout"), Gtk.main_quit()))
Gtk.main()
sys.exit("drag_source: drag failed: " + failed[0] if failed else 0)
