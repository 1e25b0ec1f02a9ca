#include "fdsl/core/memory.h"

#include <sys/resource.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

/// A number from the first line of a file ("max" and unreadable files: none).
bool read_number(const std::string& path, double& out) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return false;
  char* end = nullptr;
  const double v = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

/// A "Key:   123 kB" line of /proc/meminfo or /proc/self/status, in bytes.
bool read_kb_field(const std::string& path, const std::string& key, double& out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0 || line.size() <= key.size() || line[key.size()] != ':') continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kb = 0;
    if (!(fields >> kb)) return false;
    out = kb * 1024.0;
    return true;
  }
  return false;
}

/// The cgroup (v2, else the v1 memory controller) this process is in, as a path under /sys/fs/cgroup.
void cgroup_limit(MemoryBudget& best) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    double limit = 0, used = 0;
    if (controllers.empty()) {  // v2
      const std::string dir = "/sys/fs/cgroup" + path;
      if (read_number(dir + "/memory.max", limit)) {
        read_number(dir + "/memory.current", used);
        if (limit - used < best.bytes) best = {std::max(0.0, limit - used), "cgroup memory.max"};
      }
    } else if (controllers.find("memory") != std::string::npos) {  // v1
      const std::string dir = "/sys/fs/cgroup/memory" + path;
      if (read_number(dir + "/memory.limit_in_bytes", limit) && limit < 1e18) {
        read_number(dir + "/memory.usage_in_bytes", used);
        if (limit - used < best.bytes) best = {std::max(0.0, limit - used), "cgroup memory.limit_in_bytes"};
      }
    }
  }
}

}  // namespace

MemoryBudget available_memory() {
  MemoryBudget best{std::numeric_limits<double>::infinity(), "unknown"};
  double v = 0;
  if (read_kb_field("/proc/meminfo", "MemAvailable", v)) best = {v, "MemAvailable"};
  cgroup_limit(best);
  // The address-space limit counts what is mapped already (libraries, thread stacks, arenas).
  struct rlimit r;
  double mapped = 0;
  read_kb_field("/proc/self/status", "VmSize", mapped);
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    if (::getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) continue;
    double data = 0;
    if (resource == RLIMIT_DATA) read_kb_field("/proc/self/status", "VmData", data);
    const double room = static_cast<double>(r.rlim_cur) - (resource == RLIMIT_AS ? mapped : data);
    if (room < best.bytes) best = {std::max(0.0, room), resource == RLIMIT_AS ? "ulimit -v" : "ulimit -d"};
  }
  if (std::isinf(best.bytes)) best.bytes = 1e18;
  return best;
}

std::string format_bytes(double bytes) {
  char buf[32];
  if (bytes >= 1e12)
    std::snprintf(buf, sizeof buf, "%.1f TB", bytes / 1e12);
  else if (bytes >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6)
    std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1e6);
  else if (bytes >= 1e3)
    std::snprintf(buf, sizeof buf, "%.0f KB", bytes / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
  return buf;
}

double parse_bytes(const std::string& text, const std::string& what) {
  const char* s = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'I') unit.pop_back();  // GiB
  double scale = 0;
  if (unit.empty())
    scale = 1;
  else if (unit == "K")
    scale = 1024.0;
  else if (unit == "M")
    scale = 1024.0 * 1024;
  else if (unit == "G")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "T")
    scale = 1024.0 * 1024 * 1024 * 1024;
  if (end == s || scale == 0 || !std::isfinite(v) || !(v > 0))
    throw_bad_input(what + " '" + text + "': expected a positive size such as 8G, 512M or 1.5GB");
  return v * scale;
}

}  // namespace fdsl
