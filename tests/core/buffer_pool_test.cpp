// Pooled batch buffers: a freed buffer of the same size is handed out again, never one in use.
#include "fdsl/core/buffer_pool.h"

#include <gtest/gtest.h>

namespace fdsl {
namespace {

TEST(BufferPool, AFreedBufferOfTheSameSizeIsReusedAndOneInUseNever) {
  BufferPool pool(2);
  auto a = pool.acquire(100);
  std::uint8_t* first = a->data();
  auto b = pool.acquire(100);
  EXPECT_NE(b->data(), first) << "a buffer in use was handed out twice";
  a.reset();
  EXPECT_EQ(pool.free_count(), 1u);
  auto c = pool.acquire(100);
  EXPECT_EQ(c->data(), first);
  EXPECT_EQ(pool.reused(), 1u);
  auto d = pool.acquire(50);  // another size: a new buffer
  EXPECT_EQ(pool.allocated(), 3u);
  b.reset();
  c.reset();
  d.reset();
  EXPECT_EQ(pool.free_count(), 2u) << "the pool keeps at most max_free";
}

TEST(BufferPool, ABufferOutlivesItsPool) {
  std::unique_ptr<BufferPool::Buffer> kept;
  {
    BufferPool pool(1);
    kept = pool.acquire(10);
  }
  kept->data()[9] = 7;
  kept.reset();  // returns to the pool's state, which the buffer kept alive
  SUCCEED();
}

}  // namespace
}  // namespace fdsl
