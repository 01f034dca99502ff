//! What the core tells its front ends. One typed [`Event`] for everything that happens in the
//! background or changes the library; the app forwards each one to the webview under its
//! [`Event::channel`] with its `data` as the payload, the CLI prints them.
//!
//! The core announces its own changes: whoever changes the catalog (a command, the watcher,
//! another process seen by the change monitor) goes through the core, which emits one event.
//! Sinks are injected closures, decoupled from any window, so tests collect events in a Vec.

use serde::Serialize;
use std::sync::{Arc, Mutex};

use crate::catalog::BulkJob;
use crate::sync::engine::SyncStatus;
use crate::sync::SyncEvent;
use crate::watch::service::Notice;

/// Why the library changed: the UI refreshes differently (an import scrolls to the new images,
/// an external change keeps the view where it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// Images were added (drop, paste, files, URL).
    Import,
    /// Tags, visibility, the remote or the sync queue changed.
    Edit,
    /// Images were removed.
    Delete,
    /// A watched folder's file was added, moved, edited or deleted.
    Watch,
    /// Another process (the CLI, a script) changed the catalog.
    External,
    /// Changes made on another computer arrived through the bucket.
    Pull,
}

/// Progress of a long job, as numbers (a front end words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Progress {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub total: u64,
}

/// Everything the core reports.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// The catalog changed: refresh what is shown.
    LibraryChanged { reason: ChangeReason },
    /// A batch of imports is under way (also streamed to the caller that started it).
    ImportProgress(Progress),
    /// One image's remote state changed, a retry, or the running sync's progress.
    Sync(SyncEvent),
    /// Background sync as a whole (remote, running, counts, why it stopped).
    SyncStatus(SyncStatus),
    /// A watched folder's status, a file change in one, or "watched elsewhere".
    Watch(Notice),
    /// A bulk job's progress, and its end (`state` no longer `running`).
    BulkJob(BulkJob),
}

impl Event {
    /// The webview event each kind travels as (`ui/src/lib/ipc/events.ts` listens to each).
    pub const CHANNELS: [&'static str; 6] = [
        "library-changed",
        "import-progress",
        "sync-event",
        "sync-status",
        "watch-notice",
        "bulk-job",
    ];

    pub fn channel(&self) -> &'static str {
        Self::CHANNELS[match self {
            Event::LibraryChanged { .. } => 0,
            Event::ImportProgress(_) => 1,
            Event::Sync(_) => 2,
            Event::SyncStatus(_) => 3,
            Event::Watch(_) => 4,
            Event::BulkJob(_) => 5,
        }]
    }

    /// The event's payload alone (what `data` holds when the whole event is serialized).
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => m.remove("data").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }
}

/// Where a job reports. Cheap to clone; called from any thread.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// A sink that drops everything (one-shot CLI commands that print their own results).
pub fn discard() -> EventSink {
    Arc::new(|_| {})
}

/// Keeps every event (tests, and front ends that read them after the fact).
#[derive(Clone, Default)]
pub struct Collector(Arc<Mutex<Vec<Event>>>);

impl Collector {
    pub fn sink(&self) -> EventSink {
        let events = self.0.clone();
        Arc::new(move |e| events.lock().unwrap_or_else(|p| p.into_inner()).push(e))
    }

    /// A copy of what was reported so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The reasons of every `LibraryChanged` so far.
    pub fn changes(&self) -> Vec<ChangeReason> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::LibraryChanged { reason } => Some(reason),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_travels_on_its_channel_with_its_data() {
        let e = Event::LibraryChanged {
            reason: ChangeReason::External,
        };
        assert_eq!(e.channel(), "library-changed");
        assert_eq!(e.data(), serde_json::json!({"reason": "external"}));
        let p = Event::ImportProgress(Progress { done: 2, total: 5 });
        assert_eq!(p.channel(), "import-progress");
        assert_eq!(p.data(), serde_json::json!({"done": 2, "total": 5}));
    }

    /// The UI listens to every channel the core emits on (one list, checked here).
    #[test]
    fn the_ui_listens_to_every_channel() {
        let ts = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/ipc/events.ts"),
        )
        .expect("events.ts");
        for c in Event::CHANNELS {
            assert!(
                ts.contains(&format!("'{c}'")),
                "ui/src/lib/ipc/events.ts does not listen to {c}"
            );
        }
    }
}
