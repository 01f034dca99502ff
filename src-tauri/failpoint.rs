//! Test-only fault injection, so tests can prove an import is atomic when it fails or the
//! process dies between two steps. Set `VITRINE_FAILPOINT=<name>=error|abort|panic`; unset (the
//! normal case) every check is a cheap no-op.

use std::sync::OnceLock;

fn configured() -> Option<&'static (String, String)> {
    static FP: OnceLock<Option<(String, String)>> = OnceLock::new();
    FP.get_or_init(|| {
        let v = std::env::var("VITRINE_FAILPOINT").ok()?;
        let (name, action) = v.split_once('=')?;
        Some((name.to_string(), action.to_string()))
    })
    .as_ref()
}

/// Returns `true` when the named point should fail now (action `error`); aborts the process
/// on the spot for action `abort` (a simulated crash: no destructors, no cleanup); panics in
/// the calling thread for action `panic` (a bug: the crash report's test).
pub fn hit(name: &str) -> bool {
    match configured() {
        Some((n, action)) if n == name => {
            match action.as_str() {
                "abort" => std::process::abort(),
                "panic" => panic!("failpoint {name} hit"),
                _ => {}
            }
            true
        }
        _ => false,
    }
}
