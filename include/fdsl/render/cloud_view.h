// A quick look at a point cloud as an image (previews and contact sheets): an orthographic view
// from above and aside, nearer points brighter, drawn over farther ones.
#pragma once

#include "fdsl/core/image.h"
#include "fdsl/core/point_cloud.h"

namespace fdsl {

/// Renders `cloud` into a size x size RGB image: the cloud turned 30 degrees about z and tilted
/// 25 degrees towards the viewer, fitted with a margin, 1 px per point, shaded by depth; points
/// with class ids take a hue per class, others are gray. An empty cloud gives a black image.
Image render_cloud_view(const PointCloud& cloud, int size);

}  // namespace fdsl
