// The desktop app: `vitrine-app [--library DIR]` (or VITRINE_LIBRARY).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    vitrine::app::main()
}
