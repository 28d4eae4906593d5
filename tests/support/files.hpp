#pragma once
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

// Reading files whole, for tests that compare what a writer produced.
namespace pcanno::test {

/// The whole file as bytes; empty when it cannot be read (tests check existence first).
/// Writes frame `frame` of a KITTI velodyne folder `dir`: "%06d.bin" holding `xyzi`, four float32
/// (x, y, z, reflectance) per point.
inline void write_kitti_frame(const std::filesystem::path& dir, int frame,
                              const std::vector<float>& xyzi) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06d.bin", frame);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(xyzi.data()),
            static_cast<std::streamsize>(xyzi.size() * sizeof(float)));
}

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// How many entries `dir` holds (no recursion): what a writer left behind.
inline std::size_t entry_count(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                std::filesystem::directory_iterator()));
}

/// The lines of `text`, without their '\n'; a final newline adds no empty line.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace pcanno::test
