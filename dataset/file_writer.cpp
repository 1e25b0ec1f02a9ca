#include "file_writer.h"

#include <atomic>

#include "fdsl/io/files.h"

namespace fdsl::detail {

struct FileWriterPool::Unit::State {
  std::function<void()> on_done;
  std::atomic<std::int64_t> pending{1};  ///< files in flight, plus one until close()
  std::atomic<bool> failed{false};
};

FileWriterPool::FileWriterPool(int writers, std::size_t max_queued_bytes, bool fsync_files)
    : max_bytes_(max_queued_bytes), fsync_(fsync_files) {
  for (int i = 0; i < std::max(1, writers); ++i) threads_.emplace_back([this] { work(); });
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
  has_room_.wait(lock, [&] { return queue_.empty() || queued_bytes_ + job.bytes.size() <= max_bytes_ || error_; });
  if (error_) {
    lock.unlock();
    file_written(job.unit, false);
    return;
  }
  queued_bytes_ += job.bytes.size();
  queue_.push_back(std::move(job));
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
        write_file_atomic(job.path, job.bytes, fsync_);
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
