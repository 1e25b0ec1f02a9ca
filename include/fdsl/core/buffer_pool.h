// Reusable byte buffers for batches: a fresh 10 MB buffer per batch is fresh pages from the
// kernel, each faulted in on first write, which on some machines costs as much as rendering; a
// buffer handed back keeps its pages mapped. A buffer returns to the pool only when its holder
// lets it go (a NumPy array's last reference, a torch tensor over it), so memory in use is never
// handed out twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace fdsl {

class BufferPool {
 public:
  /// A buffer of the pool; back to the pool (or freed, when the pool keeps enough) when destroyed.
  class Buffer {
   public:
    ~Buffer();
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    std::uint8_t* data() { return data_.get(); }
    std::size_t size() const { return bytes_; }

   private:
    friend class BufferPool;
    struct State;
    Buffer(std::shared_ptr<State> state, std::size_t bytes, std::unique_ptr<std::uint8_t[]> data)
        : state_(std::move(state)), bytes_(bytes), data_(std::move(data)) {}
    std::shared_ptr<State> state_;  // keeps the pool's list alive while a buffer is out
    std::size_t bytes_;
    std::unique_ptr<std::uint8_t[]> data_;
  };

  /// A pool that keeps at most `max_free` buffers waiting to be reused.
  explicit BufferPool(std::size_t max_free = 4);

  /// A buffer of `bytes` bytes (uninitialized): a freed one of that size when there is one.
  std::unique_ptr<Buffer> acquire(std::size_t bytes);

  std::size_t free_count() const;  ///< buffers waiting to be reused
  std::size_t allocated() const;   ///< buffers allocated so far
  std::size_t reused() const;      ///< buffers served from a freed one so far

 private:
  std::shared_ptr<Buffer::State> state_;
};

}  // namespace fdsl
