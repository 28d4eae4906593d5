#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcanno/formats/clouds/point_cloud.hpp"
#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

class CloudReaderRegistry;

/// Options every point-cloud reader honours.
struct ReadOptions {
  bool drop_non_finite =
      false;  ///< remove points with a NaN or infinite coordinate (organised PCDs)
  /// Called with the fraction done in [0, 1]; returning false cancels the read
  /// (ErrorCode::kCancelled). Readers call it at least at the start and the end, and every few MB
  /// in between.
  std::function<bool(double fraction)> progress;
  /// The readers read_cloud() and Sequence::load_frame() choose from; null: the built-ins
  /// (default_cloud_readers()). A host with plugins passes its session's readers (formats knows
  /// nothing of plugins), so that plugin formats open wherever a built-in one would.
  std::shared_ptr<const CloudReaderRegistry> readers;
};

/// Facts about the file beyond the points, for `pcanno info` and for writers that keep them.
struct CloudFileInfo {
  std::string format;        ///< reader id, e.g. "pcd"
  std::string variant;       ///< e.g. "binary_compressed", "binary_little_endian", "1.4 format 6"
  std::uint32_t width = 0;   ///< organised clouds (PCD WIDTH); 0 when unorganised
  std::uint32_t height = 0;  ///< organised clouds (PCD HEIGHT > 1); 0 when unorganised
  std::size_t dropped_non_finite = 0;  ///< points removed by ReadOptions::drop_non_finite
  /// [file units] The bounds the header declares, as written (LAS min/max): `pcanno info` shows
  /// them beside the bounds of the points, as writers do not always keep them true.
  std::optional<Bounds3d> declared_bounds;
};

struct CloudFile {
  PointCloud cloud;
  CloudFileInfo info;
};

/// One point-cloud format. Readers are registered in a CloudReaderRegistry by id, suffixes and
/// priority.
struct CloudReader {
  std::string id;  ///< stable, lower case: "kitti-bin", "nuscenes-bin", "pcd", "ply", "las"
  std::string description;            ///< one line for `--help` and `pcanno plugins`
  std::vector<std::string> suffixes;  ///< lower case with the dot: ".pcd", ".pcd.bin"
  int priority = 0;  ///< higher wins among readers with equal suffix match and sniff score
  /// Confidence in [0, 100] that a file starting with `head` is this format (100: magic bytes
  /// matched; 0: certainly not). May be null for formats without a signature (the raw .bin
  /// layouts).
  std::function<int(const std::uint8_t* head, std::size_t n)> sniff;
  std::function<Expected<CloudFile>(const std::filesystem::path&, const ReadOptions&)> read;
};

/// Readers keyed by id, suffix and priority (the CloudCompare pattern). Choosing a reader for a
/// path: an explicit id wins; else the readers whose suffix is the longest match of the file name
/// (".pcd.bin" beats ".bin", never the file size); among several, or when no suffix matches, the
/// best sniff score of the first bytes; then priority.
class CloudReaderRegistry {
 public:
  /// Adds a reader; a reader with the same id is replaced (a plugin may override a built-in).
  void add(CloudReader reader);

  const CloudReader* find(const std::string& id) const;
  const std::vector<CloudReader>& readers() const { return readers_; }

  /// The reader for `path`, or kUnknownFormat naming the file and the known suffixes; an unknown
  /// `format_id` is kUnsupported listing the known ids.
  Expected<const CloudReader*> select(const std::filesystem::path& path,
                                      const std::string& format_id = "") const;

  /// select() then read. A 0-byte file is kTruncated "file is empty" at byte 0, whatever the
  /// format. When the suffix chose the reader and it fails on the content while another reader
  /// recognises the first bytes (a LAS file named .ply), the error (kUnknownFormat, byte 0) says
  /// which format the content looks like and how to force it (`--format <id>`).
  Expected<CloudFile> read(const std::filesystem::path& path, const ReadOptions& options = {},
                           const std::string& format_id = "") const;

  /// A registry holding every built-in reader.
  static CloudReaderRegistry with_builtin_readers();

  /// A sniff score from which the first bytes count as recognised (a magic number matched).
  static constexpr int kRecognisedScore = 50;

  /// The reader other than `except` whose sniff recognises the first bytes of `path`
  /// (score >= kRecognisedScore; ties go to priority), or nullptr.
  const CloudReader* recognise(const std::filesystem::path& path,
                               const CloudReader* except = nullptr) const;

 private:
  struct Choice {
    const CloudReader* reader = nullptr;
    bool by_suffix_alone = false;  ///< the file name chose; the content was not consulted
  };
  Expected<Choice> choose(const std::filesystem::path& path, const std::string& format_id) const;

  std::vector<CloudReader> readers_;
};

/// The process-wide registry of built-in readers (created on first use, thread-safe to read).
const CloudReaderRegistry& default_cloud_readers();

/// The registry `options` names, else default_cloud_readers().
const CloudReaderRegistry& cloud_readers(const ReadOptions& options);

/// Reads any supported point-cloud file through options.readers (default: the built-ins).
Expected<CloudFile> read_cloud(const std::filesystem::path& path, const ReadOptions& options = {},
                               const std::string& format_id = "");

}  // namespace pcanno::formats
