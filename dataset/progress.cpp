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

Progress::Progress(std::string what, std::int64_t total, ProgressOptions options)
    : what_(std::move(what)), total_(total), o_(std::move(options)), start_(std::chrono::steady_clock::now()) {
  if (!o_.quiet) thread_ = std::thread([this] { loop(); });
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
  if (!o_.quiet) print(true);
}

void Progress::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto period = o_.bar ? std::chrono::milliseconds(250) : o_.log_every;
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) print(false);
}

std::string Progress::line(bool final) const {
  const std::int64_t done = done_.load(std::memory_order_relaxed);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double mbps = elapsed > 0 ? bytes_.load(std::memory_order_relaxed) / elapsed / 1e6 : 0;
  const double eta = rate > 0 ? (total_ - done) / rate : -1;
  const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
  std::string units;
  if (!o_.units.empty())
    units = ", " + std::to_string(units_done_.load(std::memory_order_relaxed)) + "/" + std::to_string(o_.units_total) +
            " " + o_.units;
  char buf[320];
  if (o_.bar) {
    const int width = 30;
    std::string b(static_cast<std::size_t>(frac * width), '#');
    b.resize(width, '.');
    std::snprintf(buf, sizeof buf, "[%s] %lld/%lld %s%s  %.0f/s  %.1f MB/s  ETA %s ", b.c_str(),
                  static_cast<long long>(done), static_cast<long long>(total_), what_.c_str(), units.c_str(), rate,
                  mbps, final ? (done >= total_ ? hms(0).c_str() : "stopped") : hms(eta).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%s: %lld/%lld %s (%.1f%%)%s, %.0f/s, %.1f MB/s, elapsed %s, ETA %s",
                  o_.prefix.c_str(), static_cast<long long>(done), static_cast<long long>(total_), what_.c_str(),
                  100.0 * frac, units.c_str(), rate, mbps, hms(elapsed).c_str(),
                  final ? (done >= total_ ? "done" : "stopped") : hms(eta).c_str());
  }
  return buf;
}

void Progress::print(bool final) {
  const std::string text = line(final);
  if (o_.bar)
    std::fprintf(stderr, "\r%s%s", text.c_str(), final ? "\n" : "");
  else
    std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace fdsl
