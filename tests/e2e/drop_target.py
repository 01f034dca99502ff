#!/usr/bin/env python3
"""drop_target.py OUT X Y [text] : a 300x300 GTK3 window titled "DropTarget" at X,Y that accepts
text/uri-list (and text/plain) drops, like a file manager; with `text`, only text, like a text
editor or a chat box. Writes what it received to OUT (one line each) and exits after the first
drop.

Needs a Python with PyGObject: Debian's /usr/bin/python3 with python3-gi and gir1.2-gtk-3.0
(scripts/setup --e2e). The reverse of drag_source.py.
"""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")  # else Gdk 4 may load first and Gtk 3 then fails
from gi.repository import Gtk, Gdk, GLib  # noqa: E402  (order matters)

out, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text_only = sys.argv[4:5] == ["text"]
win = Gtk.Window(title="DropTarget")
win.set_default_size(300, 300)
win.move(x, y)
win.connect("destroy", Gtk.main_quit)
win.add(Gtk.Label(label="drop here"))
targets = Gtk.TargetList.new([])
if not text_only:
    targets.add(Gdk.Atom.intern("text/uri-list", False), 0, 0)
targets.add_text_targets(1)
win.drag_dest_set(Gtk.DestDefaults.ALL, [], Gdk.DragAction.COPY)
win.drag_dest_set_target_list(targets)


def received(_w, ctx, _x, _y, sel, info, time):
    uris = sel.get_uris() if info == 0 else [line for line in (sel.get_text() or "").splitlines() if line]
    with open(out, "w") as f:
        f.write("\n".join(uris) + "\n")
    ctx.finish(True, False, time)
    GLib.timeout_add(200, Gtk.main_quit)


win.connect("drag-data-received", received)
win.show_all()
print("ready", flush=True)
Gtk.main()
