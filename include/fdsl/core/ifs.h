// Iterated function systems: the value types shared by the FractalDB reader and the renderers.
#pragma once

#include <vector>

namespace fdsl {

/// One affine map of the plane: (x, y) -> (a x + b y + e, c x + d y + f).
struct AffineMap2 {
  double a = 0;  ///< x coefficient of the new x
  double b = 0;  ///< y coefficient of the new x
  double c = 0;  ///< x coefficient of the new y
  double d = 0;  ///< y coefficient of the new y
  double e = 0;  ///< translation of x
  double f = 0;  ///< translation of y
};

/// A 2-D iterated function system: the chaos game applies maps[i] with probability probs[i].
struct Ifs2 {
  std::vector<AffineMap2> maps;  ///< the maps, in file order
  std::vector<double> probs;     ///< probs[i] for maps[i]; the values sum to 1
};

}  // namespace fdsl
