// Stopping long work: SIGINT/SIGTERM in the CLI, KeyboardInterrupt in Python. One process-wide
// flag, set from a signal handler (request_stop is async-signal-safe) and polled by every long
// phase: category searches, acceptance tests, stream replays, config parsing, parallel loops and
// the dataset writers. A phase that cannot finish its result throws Error(Interrupted); the
// dataset writers instead stop after the work in flight and report a resumable, interrupted run.
#pragma once

#include <atomic>
#include <string>

namespace fdsl {

/// The flag itself, for loops that poll it directly (generate's `stop` option points here).
std::atomic<bool>& stop_flag() noexcept;
/// Asks every long phase of this process to stop. Safe to call from a signal handler.
inline void request_stop() noexcept { stop_flag().store(true, std::memory_order_relaxed); }
/// True once a stop was requested (until clear_stop).
inline bool stop_requested() noexcept { return stop_flag().load(std::memory_order_relaxed); }
/// Lowers the flag again (the Python bindings, once the interrupted call has unwound).
inline void clear_stop() noexcept { stop_flag().store(false, std::memory_order_relaxed); }

/// Throws Error(ErrorKind::Interrupted) "stopped by a signal during <phase>" if a stop was requested.
void throw_if_stopped(const char* phase);
[[noreturn]] void throw_stopped(const std::string& phase);

}  // namespace fdsl
