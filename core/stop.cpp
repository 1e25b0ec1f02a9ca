#include "fdsl/core/stop.h"

#include "fdsl/core/error.h"

namespace fdsl {

namespace {
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be async-signal-safe");
constinit std::atomic<bool> g_stop{false};
}  // namespace

std::atomic<bool>& stop_flag() noexcept { return g_stop; }

void throw_stopped(const std::string& phase) {
  throw Error(ErrorKind::Interrupted,
              phase.empty() ? std::string("stopped by a signal") : "stopped by a signal during " + phase);
}

void throw_if_stopped(const char* phase) {
  if (stop_requested()) throw_stopped(phase);
}

}  // namespace fdsl
