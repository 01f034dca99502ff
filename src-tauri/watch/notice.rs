//! What the watcher reports through the sink the app or the CLI passes in.

use super::apply::{self, Change};
use crate::catalog::{ChangeKind, WatchedFolder};
use crate::model::OnDelete;

/// What the watcher reports.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// A folder's status changed (watching, scanning n/N, polling, offline, …).
    Folder { folder: Box<WatchedFolder> },
    /// A file was added, moved, edited, deleted or failed.
    Change {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        folder_id: i64,
        path: String,
        kind: ChangeKind,
        image_id: Option<String>,
        // What happened, for people. (Plain comments here: the fields are documented on
        // WatchEvent, whose fields these are.)
        detail: Option<String>,
        // `moved`: the path it was at.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "gui", ts(optional))]
        moved_from: Option<String>,
        // `edited`: the image of the previous content.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "gui", ts(optional))]
        previous_id: Option<String>,
        // `edited` (to the previous image), `deleted`, `removed`: the deletion rule applied.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "gui", ts(optional))]
        rule: Option<OnDelete>,
    },
    /// Another process (the app or `vitrine watch run`) watches this library.
    WatchedElsewhere,
}

impl Notice {
    /// A change the user hears about (`None` for unchanged, skipped or still being written
    /// files). `path` is the path handled; a move is reported at its new place.
    pub fn change(folder_id: i64, path: &str, change: &Change, rule: OnDelete) -> Option<Notice> {
        let kind = change.kind()?;
        let facts = change.facts(rule);
        Some(Notice::Change {
            folder_id,
            kind,
            path: change.path(path).to_string(),
            image_id: change.image_id().map(str::to_string),
            detail: apply::describe(change, rule),
            moved_from: facts.moved_from,
            previous_id: facts.previous_id,
            rule: facts.rule,
        })
    }

    /// Trouble that is not one file's (a busy catalog, a folder that failed to import).
    pub fn failure(folder_id: i64, path: String, error: &crate::error::Error) -> Notice {
        Notice::Change {
            folder_id,
            path,
            kind: ChangeKind::Failed,
            image_id: None,
            detail: Some(error.to_string()),
            moved_from: None,
            previous_id: None,
            rule: None,
        }
    }
}
