// The explorer's window, in a module of its own (fdsl-window.so) that `fdsl preview
// --interactive` loads with dlopen: the fdsl command links no GUI library. OpenCV's highgui brings
// Qt, OpenGL and some fifty more libraries, which every batch run on a cluster node would
// otherwise load at start (or fail to start without). A plain C table, so the module shares no
// C++ types or exceptions with the command.
#pragma once

extern "C" {

/// Raised whenever the table changes: the command refuses a module of another ABI.
#define FDSL_WINDOW_ABI 1

struct FdslWindowApi {
  int abi;  ///< FDSL_WINDOW_ABI of the module
  /// Opens the window; 0 on success, else a message in err (err_size bytes, NUL-terminated).
  int (*open)(const char* title, char* err, int err_size);
  void (*add_trackbar)(const char* name, int max, int pos);
  int (*trackbar)(const char* name);
  void (*set_trackbar)(const char* name, int pos);
  /// Shows `height` rows of `width` RGB pixels, rows packed.
  void (*show)(const unsigned char* rgb, int width, int height);
  /// The key pressed within `ms` milliseconds, -1 for none.
  int (*wait_key)(int ms);
  void (*close)(void);
};

/// The module's one symbol.
const FdslWindowApi* fdsl_window_api(void);
typedef const FdslWindowApi* (*FdslWindowApiFn)(void);
}
