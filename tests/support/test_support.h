// Helpers shared by the GoogleTest suites: temporary folders, running the CLI and Python, and the
// parameterised bad-input cases of the CLI suites.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace fdsl::test {

/// A fresh, empty folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "fdsl");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Result of a child process: exit code and everything it wrote to stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// A small FractalDB dataset (3 official categories x 50 instances of 64 px): the CLI suites' subject.
inline constexpr const char* kSmallFractalDB =
    "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 64\npoints: 5000\npatch_draws: 1\nflips: 2\n";

/// Runs `command` through /bin/sh, capturing stdout+stderr.
CommandResult run_command(const std::string& command);

/// Runs the fdsl CLI built with the tests, e.g. run_cli("generate cfg.yaml -o out").
CommandResult run_cli(const std::string& args);

/// Runs a Python snippet with the Debian interpreter (numpy, Pillow, ...); argv follows.
CommandResult run_python(const std::string& code, const std::string& args = "");

/// Path of a file in the source tree (e.g. "configs/quickstart.yaml").
std::filesystem::path source_path(const std::string& relative);

/// Writes `text` to `path` (creating folders).
void write_text(const std::filesystem::path& path, const std::string& text);

/// Reads a whole file.
std::string read_text(const std::filesystem::path& path);

/// Every file of a dataset under `dir` (relative path -> bytes). The .fdsl-* bookkeeping files
/// are left out: a journal's line order follows the order work finished in, and the run report
/// holds timings.
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

/// The arguments of `fdsl generate CFG -o OUT --progress quiet EXTRA`.
std::string gen(const std::filesystem::path& cfg, const std::filesystem::path& out, const std::string& extra = "");

/// Quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);

/// Starts the fdsl CLI with `args` in the background, its stdout and stderr going to `log` (or
/// nowhere when empty). Returns its pid.
int spawn_cli(const std::vector<std::string>& args, const std::filesystem::path& log = {});

/// Polls `condition` every millisecond until it holds or `seconds` pass; true if it held. Tests
/// wait on a condition with a deadline, never for a time.
bool wait_until(const std::function<bool()>& condition, double seconds = 120);

/// Waits for child `pid` to exit, at most `seconds`; returns its waitpid status, or -1 after
/// killing it (SIGKILL) when it did not exit in time.
int wait_exit(int pid, double seconds = 120);

/// Lines in the journals of a dataset folder: finished work units or shards so far.
std::size_t journal_lines(const std::filesystem::path& dir);

/// One case of a parameterised bad-input test of the CLI.
struct BadCase {
  const char* name;    ///< the test's name
  std::string config;  ///< YAML text ("" where none is written)
  std::string extra;   ///< extra CLI arguments
  std::string expect;  ///< a piece of the message
};

/// gtest shows a case by its name.
void PrintTo(const BadCase& c, std::ostream* os);

/// The test name of a case, for INSTANTIATE_TEST_SUITE_P.
std::string case_name(const ::testing::TestParamInfo<BadCase>& info);

/// Success where the CLI refused its input as it should: exit status 2 and a message that holds
/// `expect`. Use as EXPECT_TRUE(refused(r, expect)), so a failure names the test's own line.
::testing::AssertionResult refused(const CommandResult& r, const std::string& expect);

}  // namespace fdsl::test
