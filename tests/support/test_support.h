// Helpers shared by the GoogleTest suites: temporary folders, running the CLI and Python.
#pragma once

#include <filesystem>
#include <map>
#include <string>

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

}  // namespace fdsl::test
