#pragma once
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The dependency rules of the source tree, as functions the test can check on made-up paths before
// it trusts them on the real tree. Paths are relative to the repository root, with '/'.
namespace pcanno::test {

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// geometry 0 <- formats 1 <- plugin 2 <- viewer 3 <- app 4, by a path's first folder. The Python
/// module (python/) ranks with plugin: it is a headless face of the engine and never reaches viewer/.
/// The project store (store/) ranks with plugin too: it may use the engine, the engine never uses
/// it (store_in_engine).
inline std::optional<int> module_rank(std::string_view path) {
  struct Module {
    std::string_view folder;
    int rank;
  };
  static constexpr std::array<Module, 7> kModules = {{{"geometry", 0},
                                                      {"formats", 1},
                                                      {"plugin", 2},
                                                      {"store", 2},
                                                      {"python", 2},
                                                      {"viewer", 3},
                                                      {"app", 4}}};
  const std::string_view first = path.substr(0, path.find('/'));
  for (const Module& module : kModules) {
    if (first == module.folder) return module.rank;
  }
  return std::nullopt;
}

/// The module a public include names: "pcanno/<module>/...".
inline std::optional<int> included_module_rank(std::string_view target) {
  if (!starts_with(target, "pcanno/")) return std::nullopt;
  const std::string_view rest = target.substr(7);
  if (rest.find('/') == std::string_view::npos) return std::nullopt;
  return module_rank(rest);
}

/// A concept folder of formats/ (relative to include/pcanno/formats/ or src/): support 0 <-
/// clouds 1 <- datasets 2 <- labels 3 <- labels/<codec>/ 4; a file at the top is 5 (the registry
/// of built-in codecs, which knows them all).
inline std::optional<int> concept_layer(std::string_view inside) {
  const std::size_t slash = inside.find('/');
  if (slash == std::string_view::npos) return 5;
  const std::string_view first = inside.substr(0, slash);
  if (first == "support") return 0;
  if (first == "clouds") return 1;
  if (first == "datasets") return 2;
  if (first == "labels") {
    return inside.find('/', slash + 1) == std::string_view::npos ? 3 : 4;
  }
  return std::nullopt;
}

inline std::optional<int> formats_layer(std::string_view path) {
  for (std::string_view root : {"formats/include/pcanno/formats/", "formats/src/"}) {
    if (starts_with(path, root)) return concept_layer(path.substr(root.size()));
  }
  return std::nullopt;
}

/// The concept an include inside formats/ names: public "pcanno/formats/<concept>/..." or private
/// "<concept>/..." relative to formats/src.
inline std::optional<int> included_formats_layer(std::string_view target) {
  if (starts_with(target, "pcanno/formats/")) return concept_layer(target.substr(15));
  if (starts_with(target, "pcanno/")) return std::nullopt;
  if (target.find('/') == std::string_view::npos) return std::nullopt;  // same folder
  return concept_layer(target);
}

/// The project store (store/) builds on the engine (its journal, sessions); the engine never
/// includes the store, so that a host embeds it without a database client.
inline bool store_in_engine(std::string_view file, std::string_view target) {
  return starts_with(file, "plugin/") && starts_with(target, "pcanno/store/");
}

/// True when `file` (a repository path) may not include `target`.
inline bool include_violation(std::string_view file, std::string_view target) {
  const std::optional<int> from = module_rank(file);
  if (!from) return false;
  if (store_in_engine(file, target)) return true;
  if (starts_with(target, "app/") && *from < 4) return true;
  if (const std::optional<int> to = included_module_rank(target); to && *to > *from) return true;
  const std::optional<int> from_layer = formats_layer(file);
  if (!from_layer) return false;
  const std::optional<int> to_layer = included_formats_layer(target);
  return to_layer && *to_layer > *from_layer;
}

/// Libraries a host embedding the engine must not need to compile against its headers.
inline bool forbidden_in_engine_header(std::string_view target) {
  for (std::string_view prefix : {"vtk", "QVTK", "pcl/", "open3d/", "pqxx/", "sqlite3", "libpq",
                                  "pybind11/", "nlohmann/", "Python.h"}) {
    if (starts_with(target, prefix)) return true;
  }
  // Qt's headers: QWidget, QtCore/..., qglobal.h.
  return target.size() > 1 && target[0] == 'Q' && target[1] >= 'A' && target[1] <= 'Z' &&
         target.find('.') == std::string_view::npos;
}

inline bool is_engine_public_header(std::string_view path) {
  for (std::string_view root :
       {"geometry/include/", "formats/include/", "plugin/include/", "store/include/"}) {
    if (starts_with(path, root)) return true;
  }
  return false;
}

struct Include {
  std::string target;
  std::size_t line = 0;
};

struct SourceFile {
  std::string relative;  ///< from the repository root, '/'-separated
  std::vector<Include> includes;
};

inline std::vector<Include> read_includes(const std::filesystem::path& file) {
  std::vector<Include> out;
  std::ifstream in(file);
  std::string text;
  for (std::size_t n = 1; std::getline(in, text); ++n) {
    std::size_t i = text.find_first_not_of(" \t");
    if (i == std::string::npos || text[i] != '#') continue;
    i = text.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || text.compare(i, 7, "include") != 0) continue;
    const std::size_t open = text.find_first_of("\"<", i + 7);
    if (open == std::string::npos) continue;
    const std::size_t close = text.find(text[open] == '"' ? '"' : '>', open + 1);
    if (close == std::string::npos) continue;
    out.push_back({text.substr(open + 1, close - open - 1), n});
  }
  return out;
}

/// Every C and C++ file of the product's modules.
inline std::vector<SourceFile> product_sources(const std::filesystem::path& root) {
  std::vector<SourceFile> out;
  for (const char* module : {"geometry", "formats", "plugin", "store", "python", "viewer", "app"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / module)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() ||
          (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c")) {
        continue;
      }
      out.push_back(
          {entry.path().lexically_relative(root).generic_string(), read_includes(entry.path())});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.relative < b.relative; });
  return out;
}

}  // namespace pcanno::test
