#pragma once
#include <cstddef>
#include <filesystem>
#include <string>

#include "pcanno/formats/clouds/reader.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// Reads the `vertex` element of a PLY file (ascii, binary_little_endian, binary_big_endian 1.0;
/// formats.md 8) into a cloud:
/// - x, y, z become the coordinates. Any scalar type is accepted; double coordinates are rounded
///   to float, so large absolute coordinates lose precision (a float resolves 1/128 m at 1e5 m
///   and 1/8 m at 1e6 m, as in UTM eastings). A vertex element without all three is kUnsupported.
/// - Every other scalar vertex property becomes a float attribute under its own name: "red",
///   "green", "blue", "alpha" keep their stored values (0..255 for uchar), "intensity", "nx", ...
/// - List properties inside the vertex element are skipped (their lengths read per vertex), the
///   scalar ones around them still read.
/// - Other elements (PCL's `face 0` and `camera 1`, mesh faces with list properties) are skipped
///   by size, or token by token in ASCII; they are still checked to be complete, so a file cut
///   inside its faces is kTruncated. Bytes after the last element are accepted.
/// - Errors: a bad magic or header line is kMalformed naming the line; data that ends early,
///   including an element count larger than the file, is kTruncated naming the byte offset where
///   it ran out (and the ASCII line) and what was expected.
/// options.progress is called at the start, the end and every few MB; false cancels (kCancelled).
Expected<CloudFile> read_ply(const std::filesystem::path& path, const ReadOptions& options = {});

/// read_ply() on bytes already in memory (any alignment). `path_for_errors` only labels messages.
Expected<CloudFile> parse_ply(const void* bytes, std::size_t n, const ReadOptions& options,
                              const std::string& path_for_errors);

/// Registry entry: id "ply", suffix ".ply", sniffs "ply\n" or "ply\r\n".
CloudReader make_ply_reader();

}  // namespace pcanno::formats
