// Progress for long runs: a bar with rate, MB/s and ETA on a terminal, a one-line log otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace fdsl {

struct ProgressOptions {
  bool bar = false;                            ///< redraw one line in place (a terminal); otherwise log lines
  bool quiet = false;                          ///< print nothing
  std::chrono::milliseconds log_every{10000};  ///< period of the log lines
  std::string prefix = "fdsl";                 ///< starts every log line, e.g. "fdsl [part 2/8]"
  std::string units;                           ///< a second count shown after the first, e.g. "shards" ("" for none)
  std::int64_t units_total = 0;
};

class Progress {
 public:
  /// `total` items called `what` ("images") are expected.
  Progress(std::string what, std::int64_t total, ProgressOptions options);
  ~Progress();
  /// `n` more items done, `bytes` more bytes written.
  void add(std::int64_t n, std::int64_t bytes = 0) {
    done_.fetch_add(n, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  /// One more of the second count done.
  void add_unit() { units_done_.fetch_add(1, std::memory_order_relaxed); }
  /// Stops the reporter and prints the final line.
  void finish();
  /// The line the reporter would print now (no leading \r or trailing newline).
  std::string line(bool final) const;

 private:
  void loop();
  void print(bool final);
  std::string what_;
  std::int64_t total_;
  ProgressOptions o_;
  std::atomic<std::int64_t> done_{0}, bytes_{0}, units_done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fdsl
