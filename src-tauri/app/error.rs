//! Errors as the UI receives them: the core's `{code, message}` ([`ErrorInfo`]).

pub use crate::error::ErrorInfo as IpcError;
