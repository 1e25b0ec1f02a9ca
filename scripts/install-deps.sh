#!/usr/bin/env bash
# Installs the Debian 12 packages fdsl builds, tests and runs with. Idempotent: packages already
# present are skipped, so a second run costs one dpkg query.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git
  libpng-dev zlib1g-dev libdeflate-dev libisal-dev libjpeg-dev
  libtbb-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libeigen3-dev libopencv-dev libpcl-dev libhdf5-dev libxcb1-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev python3-pybind11 clang-format
)
TEST_PKGS=(
  python3 python3-numpy python3-pil python3-noise python3-h5py python3-open3d
  python3-torch python3-torchvision python3-venv
  openmpi-bin libopenmpi-dev xvfb xauth x11-apps netpbm
  slurm-wlm munge
)

# --list: print the package names, one a line, and install nothing (the packaging test checks that
# every library the wheel loads comes from these packages or their dependencies).
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
  exit 0
fi

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#BUILD_PKGS[@]}+${#TEST_PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
