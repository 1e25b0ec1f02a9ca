// parallel_for and the ordered pipeline: every item once, writes in order, buffers never shared by
// items in flight, stops and exceptions.
#include "fdsl/core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fdsl {
namespace {

TEST(Parallel, DefaultThreadCountIsPositiveAndFollowsSlurm) {
  EXPECT_GE(default_thread_count(), 1);
  ::setenv("SLURM_CPUS_PER_TASK", "3", 1);
  EXPECT_EQ(default_thread_count(), 3);
  ::unsetenv("SLURM_CPUS_PER_TASK");
}

TEST(Parallel, PipelineWritesEveryItemOnceInOrder) {
  for (int threads : {1, 2, 4}) {
    const std::int64_t n = 500;
    const std::size_t slots = 6;
    std::vector<std::int64_t> buffers(slots, -1);
    std::vector<std::int64_t> order;
    std::vector<std::atomic<int>> in_use(slots);
    PipelineStages s;
    s.work = [&](std::int64_t i, std::size_t slot) {
      EXPECT_EQ(in_use[slot].fetch_add(1), 0) << "slot " << slot << " shared by two items in flight";
      if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));  // finish out of order
      buffers[slot] = i * i;
    };
    s.write = [&](std::int64_t i, std::size_t slot) {
      EXPECT_EQ(buffers[slot], i * i);
      order.push_back(i);
      in_use[slot].fetch_sub(1);
    };
    EXPECT_EQ(ordered_pipeline(n, threads, slots, s), n);
    ASSERT_EQ(order.size(), static_cast<std::size_t>(n)) << threads << " threads";
    for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  }
}

TEST(Parallel, PipelineStopsAfterTheItemsInFlight) {
  std::atomic<bool> stop{false};
  std::vector<std::int64_t> written;
  PipelineStages s;
  s.work = [&](std::int64_t i, std::size_t) {
    if (i == 20) stop = true;
  };
  s.write = [&](std::int64_t i, std::size_t) { written.push_back(i); };
  s.stop = [&] { return stop.load(); };
  const std::int64_t n = ordered_pipeline(1000, 2, 4, s);
  EXPECT_GE(n, 21);
  EXPECT_LE(n, 21 + 4);
  ASSERT_EQ(static_cast<std::int64_t>(written.size()), n);
  for (std::size_t i = 0; i < written.size(); ++i) EXPECT_EQ(written[i], static_cast<std::int64_t>(i));
}

TEST(Parallel, PipelinePassesTheFirstExceptionOn) {
  for (int threads : {1, 2}) {
    PipelineStages s;
    s.work = [](std::int64_t i, std::size_t) {
      if (i == 13) throw std::runtime_error("item 13 failed");
    };
    s.write = [](std::int64_t, std::size_t) {};
    try {
      ordered_pipeline(100, threads, 4, s);
      ADD_FAILURE() << "expected the exception of item 13";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "item 13 failed");
    }
  }
}

TEST(Parallel, PipelineOfNothingDoesNothing) {
  PipelineStages s;
  s.work = [](std::int64_t, std::size_t) { ADD_FAILURE(); };
  s.write = [](std::int64_t, std::size_t) { ADD_FAILURE(); };
  EXPECT_EQ(ordered_pipeline(0, 2, 4, s), 0);
}

}  // namespace
}  // namespace fdsl
