#include "fdsl/dataset/progress.h"

#include <cstdio>

namespace fdsl {

namespace {
std::string hms(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string what, std::int64_t total, bool bar, bool quiet, std::chrono::seconds log_every)
    : what_(std::move(what)), total_(total), bar_(bar), quiet_(quiet), log_every_(log_every),
      start_(std::chrono::steady_clock::now()) {
  if (!quiet_) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!quiet_) print(true);
}

void Progress::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto period = bar_ ? std::chrono::milliseconds(250) : std::chrono::duration_cast<std::chrono::milliseconds>(log_every_);
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) print(false);
}

void Progress::print(bool final) {
  const std::int64_t done = done_.load(std::memory_order_relaxed);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double eta = rate > 0 ? (total_ - done) / rate : -1;
  const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
  if (bar_) {
    char line[256];
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string b(static_cast<std::size_t>(filled), '#');
    b.resize(width, '.');
    std::snprintf(line, sizeof line, "\r[%s] %lld/%lld %s  %.0f/s  ETA %s ", b.c_str(), static_cast<long long>(done),
                  static_cast<long long>(total_), what_.c_str(), rate, final ? hms(0).c_str() : hms(eta).c_str());
    std::fputs(line, stderr);
    if (final) std::fputs("\n", stderr);
  } else {
    std::fprintf(stderr, "fdsl: %lld/%lld %s (%.1f%%), %.0f/s, elapsed %s, ETA %s\n", static_cast<long long>(done),
                 static_cast<long long>(total_), what_.c_str(), 100.0 * frac, rate, hms(elapsed).c_str(),
                 final ? "done" : hms(eta).c_str());
  }
  std::fflush(stderr);
}

}  // namespace fdsl
