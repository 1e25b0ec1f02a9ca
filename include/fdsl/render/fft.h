// A two-dimensional FFT of square power-of-two arrays, for the spectral families. Split real and
// imaginary planes (row-major, n x n floats) so that every butterfly runs across a whole row and
// vectorizes; the same operations in the same order on every machine (no FMA contraction), so a
// sample's bytes do not depend on the library or the thread that made it.
#pragma once

#include <vector>

namespace fdsl {

/// True when n is a power of two of at least 2.
bool fft_size_ok(int n);

/// In place: (re, im) becomes its 2D DFT, sum_{y,x} v[y][x] exp(-+2 pi i (ky y + kx x) / n); the
/// inverse (sign +) is not scaled by 1 / n^2. Throws Error(Runtime) unless fft_size_ok(n).
/// `scratch` is resized to 2 n x n floats (and a row) and reused between calls. With
/// `want_im` false only re is the transform's (im is left as the computation left it), which
/// saves a pass where the imaginary part is not read.
void fft2(float* re, float* im, int n, bool inverse, std::vector<float>& scratch, bool want_im = true);

}  // namespace fdsl
