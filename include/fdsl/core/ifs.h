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

/// One affine map of space: x' = A x + t with A = [[a,b,c],[d,e,f],[g,h,i]] and t = (j,k,l),
/// stored in that order (the column order of PC-FractalDB's category files).
struct AffineMap3 {
  double m[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  ///< a..i (row-major A), then j, k, l (t)

  /// det A.
  double det() const {
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  }
};

/// A 3-D iterated function system (PC-FractalDB): maps[i] is applied with probability probs[i].
struct Ifs3 {
  std::vector<AffineMap3> maps;  ///< the maps, in file order
  std::vector<double> probs;     ///< probs[i] for maps[i]; the values sum to 1
};

}  // namespace fdsl
