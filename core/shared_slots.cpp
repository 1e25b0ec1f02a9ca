// SharedSlots: see fdsl/core/shared_slots.h for the protocol.
#include "fdsl/core/shared_slots.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <string>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

constexpr std::size_t kHeaderBytes = 4096;
constexpr std::uint64_t kMagic = 0x31746f6c736c6466ULL;  // "fdlslot1", little-endian

// Word indices into the header.
enum Word : int { kMagicWord, kId, kSlots, kSlotBytes, kSeq, kClaimed, kFull, kReclaimed, kState = 16 };
static_assert((kState + SharedSlots::kMaxSlots) * sizeof(std::uint64_t) <= kHeaderBytes);

[[noreturn]] void fail(const std::string& what) {
  throw_runtime("shared slots: " + what + ": " + std::strerror(errno));
}

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

bool process_gone(std::uint64_t pid) { return pid != 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

std::uint64_t pid_of(std::uint64_t state) { return (state >> 32) & 0x3fffffffULL; }

}  // namespace

namespace detail {

struct SlotFile {
  int fd = -1;
  std::uint64_t* header = nullptr;
  std::atomic<std::uint8_t*> data{nullptr};
  std::size_t data_bytes = 0;
  std::mutex map_mutex;

  ~SlotFile() {
    if (std::uint8_t* d = data.load()) ::munmap(d, data_bytes);
    if (header) ::munmap(header, kHeaderBytes);
    if (fd >= 0) ::close(fd);
  }

  std::atomic_ref<std::uint64_t> word(int i) const { return std::atomic_ref<std::uint64_t>(header[i]); }
  std::atomic_ref<std::uint64_t> state(int slot) const { return word(kState + slot); }
  int slots() const { return static_cast<int>(header[kSlots]); }

  void map_header() {
    void* p = ::mmap(nullptr, kHeaderBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) fail("cannot map the header");
    header = static_cast<std::uint64_t*>(p);
  }

  /// The slots' bytes, mapped on first use in this process; a writer (`grow`) first makes the
  /// file long enough to hold them. The slot size must be set.
  std::uint8_t* map_data(bool grow) {
    if (std::uint8_t* d = data.load(std::memory_order_acquire)) return d;
    std::lock_guard<std::mutex> lock(map_mutex);
    if (std::uint8_t* d = data.load(std::memory_order_acquire)) return d;
    const std::size_t bytes = static_cast<std::size_t>(slots()) * word(kSlotBytes).load();
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("cannot stat the file");
    if (static_cast<std::size_t>(st.st_size) < kHeaderBytes + bytes) {
      if (!grow)
        throw_runtime("shared slots: the file is shorter than its slots (" + std::to_string(st.st_size) + " bytes)");
      // Concurrent writers set the same length (the slot size is fixed once set): harmless.
      if (::ftruncate(fd, static_cast<off_t>(kHeaderBytes + bytes)) != 0) fail("cannot size the file");
    }
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, kHeaderBytes);
    if (p == MAP_FAILED) fail("cannot map " + std::to_string(bytes) + " bytes of slots");
    data_bytes = bytes;
    data.store(static_cast<std::uint8_t*>(p), std::memory_order_release);
    return static_cast<std::uint8_t*>(p);
  }
};

}  // namespace detail

SharedSlots::Lease::Lease(std::shared_ptr<detail::SlotFile> file, int slot, std::uint64_t ticket, bool reader,
                          std::uint8_t* data, std::size_t capacity)
    : file_(std::move(file)), slot_(slot), ticket_(ticket), reader_(reader), data_(data), capacity_(capacity) {}

SharedSlots::Lease::~Lease() {
  // A reader frees what it took; a writer frees only what it never sent.
  std::uint64_t expected = reader_ ? (ticket_ | kSent | kHeld) : ticket_;
  file_->state(slot_).compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
}

SharedSlots::SharedSlots(std::shared_ptr<detail::SlotFile> file) : file_(std::move(file)) {}
SharedSlots::SharedSlots(SharedSlots&&) noexcept = default;
SharedSlots& SharedSlots::operator=(SharedSlots&&) noexcept = default;
SharedSlots::~SharedSlots() = default;

SharedSlots::SharedSlots(int slots) {
  if (slots < 1 || slots > kMaxSlots)
    throw_bad_input("shared slots: the slot count must be in [1, " + std::to_string(kMaxSlots) + "], not " +
                    std::to_string(slots));
  auto file = std::make_shared<detail::SlotFile>();
  file->fd = ::memfd_create("fdsl-slots", MFD_CLOEXEC);
  if (file->fd < 0) fail("cannot create a memory file");
  if (::ftruncate(file->fd, kHeaderBytes) != 0) fail("cannot size the header");
  file->map_header();
  std::random_device entropy;
  std::uint64_t id = 0;
  while (id == 0) id = (std::uint64_t{entropy()} << 32) ^ entropy();
  file->header[kId] = id;
  file->header[kSlots] = static_cast<std::uint64_t>(slots);
  file->word(kMagicWord).store(kMagic, std::memory_order_release);
  file_ = std::move(file);
}

SharedSlots SharedSlots::adopt(int fd) {
  auto file = std::make_shared<detail::SlotFile>();
  file->fd = fd;  // owned from here on, closed by the file's destructor
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < kHeaderBytes)
    throw_bad_input("shared slots: file descriptor " + std::to_string(fd) + " is not a slot file");
  file->map_header();
  if (file->word(kMagicWord).load(std::memory_order_acquire) != kMagic || file->slots() < 1 ||
      file->slots() > kMaxSlots)
    throw_bad_input("shared slots: file descriptor " + std::to_string(fd) + " is not a slot file");
  return SharedSlots(std::move(file));
}

int SharedSlots::fd() const { return file_->fd; }
int SharedSlots::slots() const { return file_->slots(); }
std::uint64_t SharedSlots::id() const { return file_->header[kId]; }
std::size_t SharedSlots::slot_bytes() const { return file_->word(kSlotBytes).load(); }

std::unique_ptr<SharedSlots::Lease> SharedSlots::claim(std::size_t bytes, std::size_t capacity) {
  if (bytes > capacity || capacity == 0)
    throw_bad_input("shared slots: claim of " + std::to_string(bytes) + " bytes with capacity " +
                    std::to_string(capacity));
  detail::SlotFile& f = *file_;
  const std::size_t want = round_up(capacity, kHeaderBytes);
  std::uint64_t size = 0;
  f.word(kSlotBytes).compare_exchange_strong(size, want);  // the first claim sizes every slot
  if (size == 0) size = want;
  if (want > size) {  // sized for smaller batches by an earlier claim
    f.word(kFull).fetch_add(1);
    return nullptr;
  }
  std::uint8_t* data = f.map_data(/*grow=*/true);

  const std::uint64_t pid = static_cast<std::uint64_t>(::getpid());
  const std::uint64_t ticket = (pid << 32) | (f.word(kSeq).fetch_add(1) & 0xffffffffULL);
  auto lease_of = [&](int slot) {
    f.word(kClaimed).fetch_add(1);
    return std::unique_ptr<Lease>(new Lease(file_, slot, ticket, /*reader=*/false, data + slot * size, size));
  };
  const int n = f.slots();
  for (int i = 0; i < n; ++i) {  // the lowest free slot, so the pages in use stay few
    std::uint64_t s = 0;
    if (f.state(i).compare_exchange_strong(s, ticket, std::memory_order_acq_rel)) return lease_of(i);
  }
  for (int i = 0; i < n; ++i) {  // none free: take back one whose writer died before it was taken
    std::uint64_t s = f.state(i).load(std::memory_order_acquire);
    if (s & kHeld) continue;
    if (s != 0 && (pid_of(s) == pid || !process_gone(pid_of(s)))) continue;
    if (f.state(i).compare_exchange_strong(s, ticket, std::memory_order_acq_rel)) {
      if (s != 0) f.word(kReclaimed).fetch_add(1);
      return lease_of(i);
    }
  }
  f.word(kFull).fetch_add(1);
  return nullptr;
}

bool SharedSlots::send(int slot, std::uint64_t ticket) {
  if (slot < 0 || slot >= slots()) return false;
  std::uint64_t expected = ticket;
  return file_->state(slot).compare_exchange_strong(expected, ticket | kSent, std::memory_order_acq_rel);
}

std::unique_ptr<SharedSlots::Lease> SharedSlots::take(int slot, std::uint64_t ticket, std::size_t bytes) {
  detail::SlotFile& f = *file_;
  const std::size_t size = slot_bytes();
  if (slot < 0 || slot >= f.slots() || size == 0 || bytes > size)
    throw Error(ErrorKind::OutOfRange, "shared slots: no slot " + std::to_string(slot) + " of " +
                                           std::to_string(bytes) + " bytes (" + std::to_string(f.slots()) +
                                           " slots of " + std::to_string(size) + " bytes)");
  std::uint64_t expected = ticket | kSent;
  if (!f.state(slot).compare_exchange_strong(expected, ticket | kSent | kHeld, std::memory_order_acq_rel))
    throw_runtime("shared slots: slot " + std::to_string(slot) +
                  " no longer holds the batch that was sent (its writer died and the slot was reused)");
  std::uint8_t* data = f.map_data(/*grow=*/false);
  return std::unique_ptr<Lease>(new Lease(file_, slot, ticket, /*reader=*/true, data + slot * size, size));
}

std::vector<std::uint64_t> SharedSlots::states() const {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(slots()));
  for (int i = 0; i < slots(); ++i) out[static_cast<std::size_t>(i)] = file_->state(i).load();
  return out;
}

SharedSlots::Stats SharedSlots::stats() const {
  return Stats{file_->word(kClaimed).load(), file_->word(kFull).load(), file_->word(kReclaimed).load()};
}

}  // namespace fdsl
