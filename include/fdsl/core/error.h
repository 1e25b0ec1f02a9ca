// fdsl::Error: the one exception type of the library.
#pragma once

#include <stdexcept>
#include <string>

namespace fdsl {

/// What went wrong, which decides the exit code of the CLI and the Python exception type.
enum class ErrorKind {
  BadInput,     ///< the user's config, file or argument is wrong (CLI exit 2, Python ValueError)
  OutOfRange,   ///< an index outside the dataset (CLI exit 2, Python IndexError)
  Runtime,      ///< the environment failed: I/O, disk full, ... (CLI exit 1, Python RuntimeError)
  Interrupted,  ///< stopped by SIGINT/SIGTERM (request_stop) (CLI exit 130, Python KeyboardInterrupt)
};

/// The library never exits the process; it throws this, with the context in the message
/// (file, line, key, valid range), ready to print as it is.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

/// Shorthands for the common kinds.
[[noreturn]] inline void throw_bad_input(const std::string& message) { throw Error(ErrorKind::BadInput, message); }
[[noreturn]] inline void throw_runtime(const std::string& message) { throw Error(ErrorKind::Runtime, message); }

}  // namespace fdsl
