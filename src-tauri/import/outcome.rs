//! What a batch reports: one [`Outcome`] per item, a [`Tally`] of them, and the
//! [`ImportEvent`]s a progress bar or the UI follows.

use serde::Serialize;

use super::ImportError;
use crate::error::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Imported,
    Duplicate,
    Error,
}

/// The result for one input item (one line of `vitrine import --json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Outcome {
    pub input: String,
    pub status: Status,
    pub id: Option<String>,
    pub error: Option<String>,
    /// Stable error code (`corrupt`, `too_many_pixels`, …) when `status` is `error`.
    pub code: Option<ErrorCode>,
}

impl Outcome {
    pub(super) fn from_result(input: String, r: Result<(Status, String), ImportError>) -> Self {
        match r {
            Ok((status, id)) => Outcome {
                input,
                status,
                id: Some(id),
                error: None,
                code: None,
            },
            Err(e) => Outcome {
                input,
                status: Status::Error,
                id: None,
                error: Some(e.to_string()),
                code: Some(e.code()),
            },
        }
    }
}

/// How a batch went: one count per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub imported: usize,
    pub duplicates: usize,
    pub failed: usize,
}

impl Tally {
    pub fn of(outcomes: &[Outcome]) -> Self {
        let mut t = Tally::default();
        for o in outcomes {
            match o.status {
                Status::Imported => t.imported += 1,
                Status::Duplicate => t.duplicates += 1,
                Status::Error => t.failed += 1,
            }
        }
        t
    }
}

/// Progress of a batch, for progress bars and UI events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ImportEvent {
    Started {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        total: usize,
    },
    Item {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        done: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        total: usize,
        outcome: Outcome,
    },
    Finished {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        imported: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        duplicates: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        failed: usize,
        /// Files in folders passed over because they are not images (not in `total`).
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        skipped: usize,
    },
}
