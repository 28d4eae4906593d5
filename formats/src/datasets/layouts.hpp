#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/datasets/sequence.hpp"

// Each dataset layout opens itself; sequence.cpp detects which one a path is and dispatches.
namespace pcanno::formats::detail {

/// "frame2" < "frame10": digit runs compare by value, the rest byte by byte.
bool natural_less(const std::string& a, const std::string& b);

/// Regular files in `dir` (not recursive) accepted by `keep`, sorted naturally by file name. A
/// missing or unreadable folder gives an empty list.
std::vector<std::filesystem::path> list_files(
    const std::filesystem::path& dir,
    const std::function<bool(const std::filesystem::path&)>& keep);

/// Sub-folders of `dir`, sorted naturally.
std::vector<std::filesystem::path> list_dirs(const std::filesystem::path& dir);

/// The folder holding `velodyne/SSSS/` (tracking) or `velodyne/NNNNNN.bin` (object): `path` itself
/// or `path/training`. Empty when neither.
std::filesystem::path kitti_tracking_root(const std::filesystem::path& path);
std::filesystem::path kitti_object_root(const std::filesystem::path& path);
/// A raw drive folder (`velodyne_points/data/`), or empty.
std::filesystem::path kitti_raw_root(const std::filesystem::path& path);

Expected<Sequence> open_kitti_tracking(const std::filesystem::path& root,
                                       const SequenceOptions& options);
std::vector<SequenceSummary> list_kitti_tracking(const std::filesystem::path& root);
Expected<Sequence> open_kitti_object(const std::filesystem::path& root,
                                     const SequenceOptions& options);
/// `2011-09-26 13:02:25.964389445` (UTC) -> microseconds since the epoch; false when malformed.
bool parse_kitti_timestamp(std::string_view text, std::int64_t& us);
Expected<Sequence> open_kitti_raw(const std::filesystem::path& root,
                                  const SequenceOptions& options);

/// A plain folder of clouds in any format of `readers` (by suffix), sorted naturally. The folder
/// layout reads them with SequenceOptions::readers, else the built-ins.
bool looks_like_cloud_folder(const std::filesystem::path& dir, const CloudReaderRegistry& readers);
Expected<Sequence> open_cloud_folder(const std::filesystem::path& dir,
                                     const SequenceOptions& options);

}  // namespace pcanno::formats::detail
