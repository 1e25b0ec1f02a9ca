#include "test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>
#include <chrono>
#include <thread>

namespace fdsl::test {

namespace fs = std::filesystem;

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = fs::temp_directory_path() / (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                                       std::to_string(rd() % 1000000));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  // Make read-only folders made by tests removable again.
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::end(it); ++it) {
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CommandResult run_cli(const std::string& args) { return run_command(std::string(FDSL_CLI) + " " + args); }

CommandResult run_python(const std::string& code, const std::string& args) {
  return run_command(std::string(FDSL_PYTHON) + " -c " + shell_quote(code) + " " + args);
}

fs::path source_path(const std::string& relative) { return fs::path(FDSL_SOURCE_DIR) / relative; }

void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), dir).string();
    if (rel.rfind(".fdsl-", 0) == 0) continue;
    files[rel] = read_text(e.path());
  }
  return files;
}

std::string gen(const fs::path& cfg, const fs::path& out, const std::string& extra) {
  return "generate " + shell_quote(cfg.string()) + " -o " + shell_quote(out.string()) + " --progress quiet " + extra;
}

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; }

::testing::AssertionResult refused(const CommandResult& r, const std::string& expect) {
  if (r.exit_code != 2)
    return ::testing::AssertionFailure() << "exit status " << r.exit_code << ", expected 2; output:\n" << r.output;
  if (r.output.find(expect) == std::string::npos)
    return ::testing::AssertionFailure() << "expected '" << expect << "' in:\n" << r.output;
  return ::testing::AssertionSuccess();
}

}  // namespace fdsl::test

namespace fdsl::test {

int spawn_cli(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv_text = {FDSL_CLI};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd =
        log.empty() ? ::open("/dev/null", O_WRONLY) : ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(FDSL_CLI, argv.data());
    ::_exit(127);
  }
  return pid;
}

bool wait_until(const std::function<bool()>& condition, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

int wait_exit(int pid, double seconds) {
  int status = 0;
  const bool exited = wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, seconds);
  if (exited) return status;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

std::size_t journal_lines(const std::filesystem::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename().string().rfind(".fdsl-journal", 0) != 0) continue;
    for (char c : read_text(e.path())) n += c == '\n';
  }
  return n;
}

}  // namespace fdsl::test
