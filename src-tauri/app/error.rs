//! Errors as the UI receives them: `{code, message}`, with a message a person can act on.

use serde::Serialize;

use crate::error::ErrorCode;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct IpcError {
    /// Stable code to branch on (`not_found`, `invalid_input`, `newer_schema`, …).
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        IpcError::new(
            ErrorCode::Internal,
            format!("Vitrine hit an internal error: {e}"),
        )
    }
}

impl From<crate::Error> for IpcError {
    fn from(e: crate::Error) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}
