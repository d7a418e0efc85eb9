fn main() -> std::process::ExitCode {
    twt_gen::cli::main()
}
