// Long calls that Ctrl-C stops. Python runs its signal handlers only in the main thread and only
// between bytecodes, so a C++ call holding the main thread would not see KeyboardInterrupt until
// it returned. Such a call runs on a helper thread instead, with the GIL released, while the main
// thread waits and lets Python handle signals every 50 ms; a raised signal sets fdsl's stop flag
// (core/stop.h), the call unwinds within moments, and the exception is raised in the caller.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <pybind11/pybind11.h>

#include "fdsl/core/stop.h"

namespace fdsl::python {

/// True when called from the interpreter's main thread (the only one that handles signals).
bool on_main_thread();

/// Runs fn() with the GIL released and returns its result; from the main thread, Ctrl-C (any
/// exception a signal handler raises) stops it and is raised here. Exceptions of fn propagate.
template <class F>
auto run_interruptible(F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  if (!on_main_thread()) {
    pybind11::gil_scoped_release release;
    return fn();
  }
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr error;
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
  bool interrupted = false;
  {
    pybind11::gil_scoped_release release;
    std::thread worker([&] {
      try {
        if constexpr (std::is_void_v<R>)
          fn();
        else
          result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!done) {
      if (cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
      lock.unlock();
      {
        pybind11::gil_scoped_acquire acquire;
        interrupted = PyErr_CheckSignals() != 0;
      }
      lock.lock();
      if (interrupted) {
        request_stop();
        cv.wait(lock, [&] { return done; });
      }
    }
    lock.unlock();
    worker.join();
    if (interrupted) clear_stop();
  }
  // The handler's exception (KeyboardInterrupt) wins over what the stopped call threw.
  if (interrupted) throw pybind11::error_already_set();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<R>) return std::move(*result);
}

}  // namespace fdsl::python
