// The interactive explorer behind `fdsl preview --interactive`.
#pragma once

#include <string>

#include "fdsl/dataset/spec.h"

namespace fdsl::cli {

struct ExplorerOptions {
  std::string config;    ///< YAML config or dataset folder
  SpecOptions spec;      ///< --set overrides, seed, threads
  int frames = 0;        ///< quit after this many frames (0: until 'q')
  std::string save_dir;  ///< where 's' and 'p' write
  std::string keys;      ///< keys to act on as if pressed, one per frame after the first (scripted runs)
};

/// Opens an OpenCV window with trackbars for category, instance and the generator's main
/// parameters; keys: n / b next / previous category, s save the image, p save the parameters
/// as a config snippet, q quit. Throws Error(BadInput) when there is no X display.
void run_explorer(const ExplorerOptions& options);

}  // namespace fdsl::cli
