fn main() -> std::process::ExitCode {
    vitrine::cli::run()
}
