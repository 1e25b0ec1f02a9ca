"""Writes steerable_pyramid_16.txt: the bands pyrtools' SteerablePyramidFreq (the pyramid of the
official statistical-image port, order 3, height 2, real bands) makes of a 16 x 16 test image,
for statistical_test.cpp. Run with pyrtools installed (pip install pyrtools==1.1.1):
    python make_steerable_pyramid_fixture.py > steerable_pyramid_16.txt
The image is x[i][j] = (37 i + 91 j + 13 ((i j) mod 17)) mod 256; the test makes the same one."""
import numpy as np
import pyrtools as pt

N, LEVELS = 16, 2
x = np.array([[(37 * i + 91 * j + 13 * ((i * j) % 17)) % 256 for j in range(N)] for i in range(N)], dtype=np.float64)
pyr = pt.pyramids.SteerablePyramidFreq(x, height=LEVELS)
keys = ["residual_highpass"] + [(i, b) for i in range(LEVELS) for b in range(4)] + ["residual_lowpass"]
print(N, LEVELS)
for k in keys:
    for v in np.asarray(pyr.pyr_coeffs[k]).ravel():
        print("%.12g" % v)
