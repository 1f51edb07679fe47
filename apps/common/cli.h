// Command-line parsing shared by the apps. Every app's --help promises exit code 2 for bad
// arguments, but CLI11 exits with its own codes (104 a value that does not convert, 105 a
// failed check, 106 a missing required option, 109 an unknown option, ...). GSN_CLI_PARSE
// is CLI11_PARSE with those mapped to 2; --help and --version still exit 0.
#pragma once
#include <CLI/CLI.hpp>

namespace gsn::app {

constexpr int kExitBadArguments = 2;

// Prints CLI11's message (help text to stdout, errors to stderr) and returns the app's exit code.
inline int cli_exit(const CLI::App& app, const CLI::ParseError& e) {
  return app.exit(e) == 0 ? 0 : kExitBadArguments;
}

// For unsigned options (seeds): CLI11 would wrap "-1" to 2^64 - 1 without a word.
inline const CLI::Validator kNotNegative(
    [](std::string& v) { return !v.empty() && v[0] == '-' ? std::string("must not be negative, got ") + v : std::string(); },
    "NOT NEGATIVE");

// --threads, as gsn-train, gsn-score and gsn-eval take it (0: OpenMP's default, all cores).
inline CLI::Option* add_threads_option(CLI::App& app, int& threads) {
  return app.add_option("--threads", threads, "CPU threads for the kernels (0: all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
}

// --preset for gsn-score and gsn-eval: the model of weights that carry no gsn metadata.
inline CLI::Option* add_preset_option(CLI::App& app, std::string& preset) {
  return app.add_option("--preset", preset, "model preset for checkpoints without gsn metadata: tiny | paper")
      ->check(CLI::IsMember({"tiny", "paper"}));
}

}  // namespace gsn::app

#define GSN_CLI_PARSE(app, argc, argv)                 \
  try {                                                \
    (app).parse((argc), (argv));                       \
  } catch (const CLI::ParseError& gsn_cli_error_) {    \
    return ::gsn::app::cli_exit((app), gsn_cli_error_); \
  }
