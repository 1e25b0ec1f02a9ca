// SharedSlots: slots handed between processes (fork()ed children here, DataLoader workers in use)
// without a slot ever being written while a reader holds it.
#include "fdsl/core/shared_slots.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "fdsl/core/error.h"

namespace fdsl {
namespace {

constexpr std::size_t kBytes = 10000;

/// Runs `body` in a forked child and waits for it; the child's exit status (0: body returned true).
template <class Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body() ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/// A child claims a slot, fills it with `value`, sends it and exits; returns (slot, ticket) through
/// a pipe.
std::pair<int, std::uint64_t> child_sends(SharedSlots& slots, std::uint8_t value) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const int rc = in_child([&] {
    auto lease = slots.claim(kBytes, kBytes);
    if (!lease) return false;
    std::memset(lease->data(), value, kBytes);
    std::pair<int, std::uint64_t> sent{lease->slot(), lease->ticket()};
    if (!slots.send(sent.first, sent.second)) return false;
    return ::write(fds[1], &sent, sizeof sent) == static_cast<ssize_t>(sizeof sent);
  });
  EXPECT_EQ(rc, 0);
  std::pair<int, std::uint64_t> sent{-1, 0};
  EXPECT_EQ(::read(fds[0], &sent, sizeof sent), static_cast<ssize_t>(sizeof sent));
  ::close(fds[0]);
  ::close(fds[1]);
  return sent;
}

TEST(SharedSlots, ClaimSendTakeRelease) {
  SharedSlots slots(4);
  EXPECT_EQ(slots.slots(), 4);
  EXPECT_EQ(slots.slot_bytes(), 0u);
  auto w = slots.claim(100, kBytes);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->slot(), 0);  // lowest free first
  EXPECT_GE(slots.slot_bytes(), kBytes);
  EXPECT_EQ(slots.slot_bytes() % 4096, 0u);
  for (int i = 0; i < 100; ++i) w->data()[i] = static_cast<std::uint8_t>(i);
  const int slot = w->slot();
  const std::uint64_t ticket = w->ticket();
  EXPECT_EQ(slots.states()[0], ticket);
  ASSERT_TRUE(slots.send(slot, ticket));
  EXPECT_FALSE(slots.send(slot, ticket));  // once only
  w.reset();                               // the writer lets go: a sent slot stays
  EXPECT_EQ(slots.states()[0], ticket | SharedSlots::kSent);
  auto r = slots.take(slot, ticket, 100);
  EXPECT_EQ(slots.states()[0], ticket | SharedSlots::kSent | SharedSlots::kHeld);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(r->data()[i], i);
  EXPECT_THROW(slots.take(slot, ticket, 100), Error);  // taken already
  r.reset();
  EXPECT_EQ(slots.states()[0], 0u);
  EXPECT_EQ(slots.stats().claimed, 1u);
}

TEST(SharedSlots, AWriterDroppingAnUnsentSlotFreesIt) {
  SharedSlots slots(1);
  auto w = slots.claim(kBytes, kBytes);
  ASSERT_TRUE(w);
  EXPECT_FALSE(slots.claim(kBytes, kBytes));  // the only slot is claimed
  w.reset();
  EXPECT_EQ(slots.states()[0], 0u);
  EXPECT_TRUE(slots.claim(kBytes, kBytes));
  EXPECT_EQ(slots.stats().full, 1u);
}

TEST(SharedSlots, ASlotThisProcessSentIsNeverReclaimedByIt) {
  SharedSlots slots(1);
  auto w = slots.claim(kBytes, kBytes);
  ASSERT_TRUE(slots.send(w->slot(), w->ticket()));
  w.reset();
  EXPECT_FALSE(slots.claim(kBytes, kBytes));  // still on its way to the reader
  EXPECT_EQ(slots.stats().reclaimed, 0u);
}

TEST(SharedSlots, ChildWritesParentReadsAfterTheChildExited) {
  SharedSlots slots(2);
  const auto [slot, ticket] = child_sends(slots, 0xab);
  auto r = slots.take(slot, ticket, kBytes);
  for (std::size_t i = 0; i < kBytes; ++i) ASSERT_EQ(r->data()[i], 0xab);
}

TEST(SharedSlots, SlotsOfADeadWriterAreReclaimedOnlyWhenNoneIsFree) {
  SharedSlots slots(2);
  const auto [slot, ticket] = child_sends(slots, 1);  // sent, never taken: the batch was dropped
  EXPECT_EQ(slot, 0);
  auto a = slots.claim(kBytes, kBytes);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->slot(), 1);  // the free one first
  EXPECT_EQ(slots.stats().reclaimed, 0u);
  auto b = slots.claim(kBytes, kBytes);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->slot(), 0);  // then the dead child's
  EXPECT_EQ(slots.stats().reclaimed, 1u);
  EXPECT_THROW(slots.take(slot, ticket, kBytes), Error);  // what the child sent is gone
}

TEST(SharedSlots, AHeldSlotIsNeverReclaimed) {
  SharedSlots slots(1);
  const auto [slot, ticket] = child_sends(slots, 7);
  auto r = slots.take(slot, ticket, kBytes);
  EXPECT_FALSE(slots.claim(kBytes, kBytes));  // the writer is dead, but the reader holds the slot
  for (std::size_t i = 0; i < kBytes; ++i) ASSERT_EQ(r->data()[i], 7);
  r.reset();
  EXPECT_TRUE(slots.claim(kBytes, kBytes));
}

TEST(SharedSlots, AdoptedDescriptorSharesTheSlots) {
  SharedSlots a(3);
  SharedSlots b = SharedSlots::adopt(::dup(a.fd()));
  EXPECT_EQ(b.id(), a.id());
  EXPECT_EQ(b.slots(), 3);
  auto w = a.claim(kBytes, kBytes);
  std::memset(w->data(), 5, kBytes);
  ASSERT_TRUE(a.send(w->slot(), w->ticket()));
  auto r = b.take(w->slot(), w->ticket(), kBytes);
  EXPECT_EQ(r->data()[kBytes - 1], 5);
  EXPECT_NE(SharedSlots(3).id(), a.id());
}

TEST(SharedSlots, SlotsKeepTheSizeOfTheFirstClaim) {
  SharedSlots slots(2);
  auto a = slots.claim(10, kBytes);
  ASSERT_TRUE(a);
  EXPECT_FALSE(slots.claim(10, 10 * kBytes));  // larger than the slots: the caller copies instead
  EXPECT_EQ(slots.stats().full, 1u);
  EXPECT_TRUE(slots.claim(10, 100));  // smaller fits
}

TEST(SharedSlots, BadArgumentsAreRefused) {
  EXPECT_THROW(SharedSlots(0), Error);
  EXPECT_THROW(SharedSlots(SharedSlots::kMaxSlots + 1), Error);
  SharedSlots slots(2);
  EXPECT_THROW(slots.claim(11, 10), Error);
  EXPECT_THROW(slots.take(0, 1, 10), Error);  // no slot size yet
  auto w = slots.claim(10, 10);
  EXPECT_THROW(slots.take(2, w->ticket(), 10), Error);
  EXPECT_THROW(slots.take(0, w->ticket(), 5000), Error);
  EXPECT_FALSE(slots.send(5, w->ticket()));
  EXPECT_THROW(SharedSlots::adopt(-1), Error);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);
  EXPECT_THROW(SharedSlots::adopt(fds[0]), Error);  // not a slot file (and closed by adopt)
}

TEST(SharedSlots, ConcurrentClaimsNeverShareASlot) {
  SharedSlots slots(8);
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 2000; ++k) {
        auto lease = slots.claim(64, 64);
        if (!lease) continue;
        std::memset(lease->data(), t, 64);
        std::this_thread::yield();
        for (int i = 0; i < 64; ++i) bad[t] += lease->data()[i] != t;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
  EXPECT_EQ(slots.states(), std::vector<std::uint64_t>(8, 0));
}

}  // namespace
}  // namespace fdsl
