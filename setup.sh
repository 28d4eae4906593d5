#!/usr/bin/env bash
# Installs the Debian 12 packages pcanno needs (only those missing) and builds a Release into build/.
# Usage: ./setup.sh [extra cmake arguments], e.g. ./setup.sh -DPCANNO_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev nlohmann-json3-dev libcli11-dev libboost-all-dev libpng-dev libjpeg-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpcl-dev libopen3d-dev libvtk9-dev libvtk9-qt-dev qtbase5-dev
  xvfb xauth xdotool python3 python3-jsonschema python3-numpy clang libclang-rt-14-dev ccache
  python3-dev pybind11-dev python3-pybind11 python3-pytest python3-matplotlib
  libsqlite3-dev libpqxx-dev postgresql-15
)

# A single-node Slurm for the batch tests (tests/batch/slurm_cluster.sh), without the daemons'
# recommended extras (mail, documentation).
SLURM_PACKAGES=(slurmctld slurmd slurm-client munge)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
apt_updated=""
# install_missing LIST [apt-get options]: installs the packages of the array named LIST that are
# not installed yet.
install_missing() {
  local -n wanted=$1
  shift
  local missing=() pkg
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]})) || return 0
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then
    "${sudo_cmd[@]}" apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" "${missing[@]}" \
    >/dev/null
}
install_missing PACKAGES
install_missing SLURM_PACKAGES --no-install-recommends
[ -n "$apt_updated" ] || echo "setup: all Debian packages present"

# ccache keyed on paths relative to the checkout, so that another clone on the same machine (CI's)
# reuses what this one compiled.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPCANNO_WERROR=ON "${launcher[@]}" "$@"
cmake --build build --parallel "$(nproc)"
# `import pcanno` for Debian's python3: the package goes to /usr/local/lib/python3.X/dist-packages
# (PCANNO_PYTHON_INSTALL_DIR). The tests import the build tree's copy instead (PYTHONPATH).
if [ -f build/python/cmake_install.cmake ] && ls build/python/pcanno/_pcanno*.so >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    cmake --install build --component python >/dev/null
    echo "setup: installed the pcanno Python package for /usr/bin/python3"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo cmake --install build --component python >/dev/null
    # The install leaves its manifest in build/: keep it the user's for later installs.
    sudo chown "$(id -u):$(id -g)" build/install_manifest_python.txt
    echo "setup: installed the pcanno Python package for /usr/bin/python3"
  else
    echo "setup: to import pcanno from python3, run: sudo cmake --install build --component python"
    echo "       (or use PYTHONPATH=$PWD/build/python)"
  fi
fi
echo "setup: built into build/ (run ./run-tests.sh next)"
