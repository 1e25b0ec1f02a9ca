// Files written off the render path: render threads hand finished files to a few writer threads
// (a create, write and rename each, which on a network filesystem can take milliseconds) and go
// on rendering. The queue is bounded in bytes; a unit is reported done only once all its files
// are in place; the first write error stops the run and is rethrown.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fdsl::detail {

class FileWriterPool {
 public:
  /// `writers` threads, growing up to `max_writers` (at least `writers`) while more files wait for
  /// a writer than there are writers and the writers spend most of their time waiting on the filesystem rather than
  /// working (a network filesystem's slow create): on a local disk, where a create is CPU work
  /// in the kernel, more writers only contend for the directory's lock and take the render
  /// threads' cores. submit() waits while more than `max_queued_bytes` are queued (a single
  /// file larger than that still goes through, alone).
  FileWriterPool(int writers, std::size_t max_queued_bytes, bool fsync_files, int max_writers = 0);
  ~FileWriterPool();  ///< finishes the queue (errors are dropped here: call finish() to see them)
  FileWriterPool(const FileWriterPool&) = delete;
  FileWriterPool& operator=(const FileWriterPool&) = delete;

  /// The files of one unit of work: `on_done` runs (on a writer thread, or in close() when the
  /// unit has no files) once every file added before close() is in place, and never after an
  /// error in one of them.
  class Unit {
   public:
    void add(std::filesystem::path path, std::vector<std::uint8_t>&& bytes);
    /// No more files; on_done may run from here on.
    void close();

   private:
    friend class FileWriterPool;
    struct State;
    std::shared_ptr<State> state_;
    FileWriterPool* pool_ = nullptr;
  };
  Unit unit(std::function<void()> on_done);

  /// The writer threads running now.
  int writers() const;
  /// Whether a write has failed (the run should stop making new work).
  bool failed() const;
  /// Waits until every queued file is written and every closed unit reported; rethrows the first
  /// write error.
  void finish();

 private:
  struct Job {
    std::filesystem::path path;
    std::vector<std::uint8_t> bytes;
    std::shared_ptr<Unit::State> unit;
  };
  void push(Job&& job);
  void work();
  static void file_written(const std::shared_ptr<Unit::State>& unit, bool ok);

  /// With mutex_ held: starts another writer when files wait for one and the writers mostly wait
  /// on the filesystem.
  void maybe_grow(bool producer_waits);

  const std::size_t max_bytes_;
  const bool fsync_;
  const int max_writers_;
  /// Wall and CPU nanoseconds the writers spent in writes since the pool last grew, how many
  /// writes, and how many of them blocked.
  std::int64_t wall_ns_ = 0, cpu_ns_ = 0, timed_files_ = 0, blocked_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable has_work_, has_room_, idle_;
  std::deque<Job> queue_;
  std::size_t queued_bytes_ = 0;
  int busy_ = 0;
  bool closing_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

}  // namespace fdsl::detail
