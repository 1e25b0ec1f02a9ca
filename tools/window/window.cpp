// fdsl-window.so: the explorer's OpenCV window behind the table of window_api.h. Every call
// catches OpenCV's exceptions, which must not cross into the command.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <xcb/xcb.h>

#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>

#include "window_api.h"

namespace {

std::string g_title;  // the one window's name

int open_window(const char* title, char* err, int err_size) {
  // Qt aborts the process when its X display cannot be reached (a wrong DISPLAY, a server gone,
  // no permission): try the display first, with the library Qt's X platform uses.
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  if (!platform || !*platform || std::strncmp(platform, "xcb", 3) == 0) {
    int screen = 0;
    xcb_connection_t* c = xcb_connect(nullptr, &screen);
    const int bad = xcb_connection_has_error(c);
    xcb_disconnect(c);
    if (bad) {
      if (err && err_size > 0)
        std::snprintf(err, static_cast<std::size_t>(err_size),
                      "no X server answers there, or this user may not use it (xcb error %d)", bad);
      return 1;
    }
  }
  try {
    g_title = title;
    cv::namedWindow(g_title, cv::WINDOW_AUTOSIZE);
    return 0;
  } catch (const std::exception& e) {
    if (err && err_size > 0) std::snprintf(err, static_cast<std::size_t>(err_size), "%s", e.what());
    return 1;
  }
}

void add_trackbar(const char* name, int max, int pos) {
  try {
    cv::createTrackbar(name, g_title, nullptr, max);
    cv::setTrackbarPos(name, g_title, pos);
  } catch (const std::exception&) {
  }
}

int trackbar(const char* name) {
  try {
    return cv::getTrackbarPos(name, g_title);
  } catch (const std::exception&) {
    return 0;
  }
}

void set_trackbar(const char* name, int pos) {
  try {
    cv::setTrackbarPos(name, g_title, pos);
  } catch (const std::exception&) {
  }
}

void show(const unsigned char* rgb, int width, int height) {
  try {
    cv::Mat bgr(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y) {
      const unsigned char* p = rgb + static_cast<std::size_t>(y) * static_cast<std::size_t>(width) * 3;
      unsigned char* q = bgr.ptr<unsigned char>(y);
      for (int x = 0; x < width; ++x) {
        q[3 * x] = p[3 * x + 2];
        q[3 * x + 1] = p[3 * x + 1];
        q[3 * x + 2] = p[3 * x];
      }
    }
    cv::imshow(g_title, bgr);
  } catch (const std::exception&) {
  }
}

int wait_key(int ms) {
  try {
    return cv::waitKey(ms);
  } catch (const std::exception&) {
    return -1;
  }
}

void close_window() {
  try {
    cv::destroyAllWindows();
  } catch (const std::exception&) {
  }
}

const FdslWindowApi kApi = {FDSL_WINDOW_ABI, open_window, add_trackbar, trackbar,
                            set_trackbar,    show,        wait_key,     close_window};

}  // namespace

extern "C" __attribute__((visibility("default"))) const FdslWindowApi* fdsl_window_api(void) { return &kApi; }
