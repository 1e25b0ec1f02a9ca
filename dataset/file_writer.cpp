#include "file_writer.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "fdsl/io/files.h"

namespace fdsl::detail {

struct FileWriterPool::Unit::State {
  std::function<void()> on_done;
  std::atomic<std::int64_t> pending{1};  ///< files in flight, plus one until close()
  std::atomic<bool> failed{false};
};

namespace {
std::int64_t thread_cpu_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}
/// Times this thread gave up its core to wait (for the disk, the network, a lock); being
/// preempted by a busy render thread does not count.
std::int64_t voluntary_switches() {
  rusage r{};
  ::getrusage(RUSAGE_THREAD, &r);
  return r.ru_nvcsw;
}
std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

FileWriterPool::FileWriterPool(int writers, std::size_t max_queued_bytes, bool fsync_files, int max_writers)
    : max_bytes_(max_queued_bytes), fsync_(fsync_files), max_writers_(std::max({1, writers, max_writers})) {
  for (int i = 0; i < std::max(1, writers); ++i) threads_.emplace_back([this] { work(); });
}

int FileWriterPool::writers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(threads_.size());
}

void FileWriterPool::maybe_grow(bool producer_waits) {
  // Judged on a few files since the last growth. Another writer helps when the writers wait on
  // the filesystem (their writes block, at least every other one, and take over twice their CPU
  // time), or when they are the bottleneck: the queue is full, so the render threads wait and
  // leave their cores to it. Writers that are only preempted by busy render threads are not helped.
  const auto n = static_cast<std::int64_t>(threads_.size());
  if (n >= max_writers_ || closing_ || timed_files_ < 4 * n) return;
  const bool waiting = wall_ns_ > 2 * cpu_ns_ && 2 * blocked_ >= timed_files_;
  if (!waiting && !producer_waits) return;
  threads_.emplace_back([this] { work(); });
  wall_ns_ = cpu_ns_ = timed_files_ = blocked_ = 0;
}

FileWriterPool::~FileWriterPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  for (std::thread& t : threads_) t.join();
}

FileWriterPool::Unit FileWriterPool::unit(std::function<void()> on_done) {
  Unit u;
  u.state_ = std::make_shared<Unit::State>();
  u.state_->on_done = std::move(on_done);
  u.pool_ = this;
  return u;
}

void FileWriterPool::Unit::add(std::filesystem::path path, std::vector<std::uint8_t>&& bytes) {
  state_->pending.fetch_add(1);
  pool_->push(Job{std::move(path), std::move(bytes), state_});
}

void FileWriterPool::Unit::close() { file_written(state_, true); }

void FileWriterPool::file_written(const std::shared_ptr<Unit::State>& unit, bool ok) {
  if (!ok) unit->failed = true;
  if (unit->pending.fetch_sub(1) == 1 && !unit->failed && unit->on_done) unit->on_done();
}

void FileWriterPool::push(Job&& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto room = [&] { return queue_.empty() || queued_bytes_ + job.bytes.size() <= max_bytes_ || error_; };
  if (!room()) maybe_grow(true);
  has_room_.wait(lock, room);
  if (error_) {
    lock.unlock();
    file_written(job.unit, false);
    return;
  }
  queued_bytes_ += job.bytes.size();
  queue_.push_back(std::move(job));
  if (queue_.size() > threads_.size()) maybe_grow(false);  // files wait for a writer
  lock.unlock();
  has_work_.notify_one();
}

void FileWriterPool::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      has_work_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= job.bytes.size();
      ++busy_;
    }
    has_room_.notify_all();
    bool ok = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ok = !error_;  // after an error nothing more is written
    }
    if (ok) {
      try {
        const std::int64_t wall0 = wall_ns(), cpu0 = thread_cpu_ns(), switches0 = voluntary_switches();
        write_file_atomic(job.path, job.bytes, fsync_);
        const std::int64_t wall = wall_ns() - wall0, cpu = thread_cpu_ns() - cpu0;
        const bool blocked = voluntary_switches() > switches0;
        std::lock_guard<std::mutex> lock(mutex_);
        wall_ns_ += wall;
        cpu_ns_ += cpu;
        blocked_ += blocked;
        ++timed_files_;
      } catch (...) {
        ok = false;
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    std::vector<std::uint8_t>().swap(job.bytes);
    try {
      file_written(job.unit, ok);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
    }
    idle_.notify_all();
    has_room_.notify_all();
  }
}

bool FileWriterPool::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<bool>(error_);
}

void FileWriterPool::finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
  if (error_) std::rethrow_exception(error_);
}

}  // namespace fdsl::detail
