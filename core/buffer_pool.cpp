#include "fdsl/core/buffer_pool.h"

#include <algorithm>

namespace fdsl {

struct BufferPool::Buffer::State {
  struct Free {
    std::size_t bytes = 0;
    std::unique_ptr<std::uint8_t[]> data;
  };
  mutable std::mutex mutex;
  std::vector<Free> free;
  std::size_t max_free = 4, allocated = 0, reused = 0;
};

BufferPool::Buffer::~Buffer() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->free.size() < state_->max_free) state_->free.push_back({bytes_, std::move(data_)});
}

BufferPool::BufferPool(std::size_t max_free) : state_(std::make_shared<Buffer::State>()) {
  state_->max_free = max_free;
}

std::unique_ptr<BufferPool::Buffer> BufferPool::acquire(std::size_t bytes) {
  std::unique_ptr<std::uint8_t[]> data;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto& pool = state_->free;
    const auto it = std::find_if(pool.begin(), pool.end(), [&](const auto& f) { return f.bytes == bytes; });
    if (it != pool.end()) {
      data = std::move(it->data);
      pool.erase(it);
      ++state_->reused;
    } else {
      ++state_->allocated;
    }
  }
  if (!data) data.reset(new std::uint8_t[std::max<std::size_t>(bytes, 1)]);
  return std::unique_ptr<Buffer>(new Buffer(state_, bytes, std::move(data)));
}

std::size_t BufferPool::free_count() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->free.size();
}
std::size_t BufferPool::allocated() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->allocated;
}
std::size_t BufferPool::reused() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->reused;
}

}  // namespace fdsl
