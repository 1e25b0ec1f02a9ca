// Progress for long runs: a bar with rate and ETA on a terminal, a one-line log otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace fdsl {

class Progress {
 public:
  /// `bar`: redraw one line in place (a terminal); otherwise print a log line every `log_every`.
  Progress(std::string what, std::int64_t total, bool bar, bool quiet,
           std::chrono::seconds log_every = std::chrono::seconds(10));
  ~Progress();
  void add(std::int64_t n) { done_.fetch_add(n, std::memory_order_relaxed); }
  /// Stops the reporter and prints the final line.
  void finish();

 private:
  void loop();
  void print(bool final);
  std::string what_;
  std::int64_t total_;
  bool bar_, quiet_;
  std::chrono::seconds log_every_;
  std::atomic<std::int64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fdsl
