#pragma once
#include <filesystem>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::formats {

/// Merges nuScenes dataroots written separately (one scene each, by write_nuscenes_dataset) into
/// ONE dataroot at `out`, as write_nuscenes_scenes() would have written them together: every
/// table's records in part order, each record's bytes as its part wrote them; a record of a shared
/// table (category, attribute, visibility, sensor) that an earlier part holds with the same token
/// and bytes is written once. The other files (samples/, sweeps/, maps/) are hard-linked (copied
/// where links fail). The result is built in a StagedDirectory and renamed into place, replacing
/// `out` when `overwrite`; the same parts give the same bytes, so merging again is idempotent.
///
/// Errors before anything is in place: parts with different version folders, a token that two
/// parts use for different records (kConflict, naming the table, token and both parts), a file
/// two parts both hold with different bytes, a table that is not a JSON array of objects with a
/// "token" (kMalformed, naming the file and the byte).
Status merge_nuscenes_dataroots(const std::vector<std::filesystem::path>& parts,
                                const std::filesystem::path& out, bool overwrite);

}  // namespace pcanno::formats
