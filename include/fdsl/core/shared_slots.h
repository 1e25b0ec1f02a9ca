// SharedSlots: a fixed set of equal-sized buffers in one shared-memory file, handed between
// processes without copying and without a new segment per hand-over.
//
// The Python data loaders use it to pass rendered batches from DataLoader worker processes to the
// training process: a worker claims a free slot, renders into it and sends only (slot, ticket);
// the trainer takes the slot and reads the pixels in place; the slot becomes free again when the
// trainer's last reference to it is gone. Compared with a fresh shared-memory segment per batch
// (what torch does), nothing is mapped, faulted in or unmapped per batch.
//
// Every slot has one 64-bit state word in the file's header, changed only by compare-and-swap:
//
//   0                      free
//   ticket                 claimed by a writer (ticket = writer pid << 32 | sequence number)
//   ticket | kSent         the writer handed it on (the reader may take it)
//   ticket | kSent | kHeld taken by the reader; back to 0 when the reader releases it
//
// A writer that drops a claimed slot without sending it frees it. A slot claimed or sent by a
// process that has since died (a worker shut down with batches still queued) is reclaimed by the
// next claim that finds no free slot; a held slot never is, so memory a reader still uses is never
// written. Writers and readers are processes that share the file: it is inherited across fork()
// or passed as a file descriptor (SharedSlots::adopt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace fdsl {

namespace detail {
struct SlotFile;  // the shared file's mappings in this process (shared by the object and its leases)
}

class SharedSlots {
 public:
  static constexpr int kMaxSlots = 64;
  static constexpr std::uint64_t kSent = std::uint64_t{1} << 62;
  static constexpr std::uint64_t kHeld = std::uint64_t{1} << 63;

  /// A slot claimed or taken by this process. While a Lease lives, its bytes are this process's to
  /// read (and, for a writer's lease, to write); destroying it frees the slot when this process
  /// is its last user (see the state table above).
  class Lease {
   public:
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    int slot() const { return slot_; }
    std::uint64_t ticket() const { return ticket_; }
    std::uint8_t* data() const { return data_; }
    std::size_t capacity() const { return capacity_; }

   private:
    friend class SharedSlots;
    Lease(std::shared_ptr<detail::SlotFile> file, int slot, std::uint64_t ticket, bool reader, std::uint8_t* data,
          std::size_t capacity);
    std::shared_ptr<detail::SlotFile> file_;  // keeps the mapping alive while the bytes are in use
    int slot_;
    std::uint64_t ticket_;
    bool reader_;
    std::uint8_t* data_;
    std::size_t capacity_;
  };

  /// Counters kept in the shared header (over all processes).
  struct Stats {
    std::uint64_t claimed = 0;    ///< claims that found a slot
    std::uint64_t full = 0;       ///< claims that found none (the caller fell back to a copy)
    std::uint64_t reclaimed = 0;  ///< slots taken back from processes that had died
  };

  /// A new anonymous shared-memory file of `slots` slots (1..kMaxSlots); its slot size is set by
  /// the first claim. Throws fdsl::Error: BadInput for a bad count, Runtime when the file cannot be made.
  explicit SharedSlots(int slots);
  /// Shares the file behind `fd`, which the caller hands over (it is closed with this object).
  static SharedSlots adopt(int fd);

  SharedSlots(SharedSlots&&) noexcept;
  SharedSlots& operator=(SharedSlots&&) noexcept;
  ~SharedSlots();

  int fd() const;
  int slots() const;
  /// Random identity written at creation, the same in every process sharing the file.
  std::uint64_t id() const;
  /// Bytes per slot; 0 until the first claim sets it.
  std::size_t slot_bytes() const;

  /// Claims a free slot for `bytes` bytes (at most `capacity`, which sizes every slot on the first
  /// claim). nullopt when no slot is free, none can be reclaimed, or the slots were sized for a
  /// smaller capacity. The lease's bytes are uninitialized.
  std::unique_ptr<Lease> claim(std::size_t bytes, std::size_t capacity);
  /// Marks a claimed slot as handed on: dropping the writer's lease no longer frees it. False when
  /// the slot is no longer (slot, ticket) as claimed (sent already, or reclaimed).
  bool send(int slot, std::uint64_t ticket);
  /// The reader's side: takes a sent slot. Throws fdsl::Error: Runtime when the slot no longer holds
  /// that ticket (it was reclaimed), OutOfRange for a bad slot or size.
  std::unique_ptr<Lease> take(int slot, std::uint64_t ticket, std::size_t bytes);

  /// The state word of every slot (see the table above), for tests and diagnostics.
  std::vector<std::uint64_t> states() const;
  Stats stats() const;

 private:
  explicit SharedSlots(std::shared_ptr<detail::SlotFile> file);

  std::shared_ptr<detail::SlotFile> file_;
};

}  // namespace fdsl
