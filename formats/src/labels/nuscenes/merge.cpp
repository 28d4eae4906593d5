// Several one-scene nuScenes dataroots -> one (pcanno batch's merge step). Records are moved as
// the text their writer produced, never parsed and printed again, so the merged tables hold the
// parts' bytes exactly: a batch conversion equals a conversion of all scenes at once.
#include "pcanno/formats/labels/nuscenes/merge.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "labels/nuscenes/table_writer.hpp"
#include "pcanno/formats/support/atomic_write.hpp"
#include "pcanno/formats/support/output_folder.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

Expected<std::string> slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open", file.string()};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Record {
  std::string token;
  std::string text;
};

/// The token of one record: the writer puts it first; anything else is parsed.
Expected<std::string> token_of(const std::string& text, const fs::path& file, std::size_t at) {
  static const std::string kFirst = "{\n\"token\": \"";
  if (text.compare(0, kFirst.size(), kFirst) == 0) {
    const std::size_t end = text.find('"', kFirst.size());
    if (end != std::string::npos) return text.substr(kFirst.size(), end - kFirst.size());
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("token") && j["token"].is_string()) {
    return j["token"].get<std::string>();
  }
  Error e{ErrorCode::kMalformed, "a record without a \"token\" string", file.string()};
  e.offset = at;
  return e;
}

/// The top-level records of a table file, each as its bytes.
Expected<std::vector<Record>> split_records(const std::string& text, const fs::path& file) {
  std::vector<Record> out;
  std::size_t i = text.find_first_not_of(" \t\r\n");
  auto malformed = [&](const std::string& what, std::size_t at) -> Expected<std::vector<Record>> {
    Error e{ErrorCode::kMalformed, what, file.string()};
    e.offset = at;
    return e;
  };
  if (i == std::string::npos || text[i] != '[') return malformed("expected a JSON array", 0);
  int depth = 0;
  bool in_string = false, escaped = false;
  std::size_t start = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (depth == 1) {
        if (c != '{') return malformed("expected an object", i);
        start = i;
      }
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
      if (depth == 1) {
        Record r;
        r.text = text.substr(start, i + 1 - start);
        auto token = token_of(r.text, file, start);
        if (!token) return std::move(token).error();
        r.token = std::move(*token);
        out.push_back(std::move(r));
      }
      if (depth == 0) return out;
    }
  }
  return malformed("the array does not end", text.size());
}

/// The version folder of a dataroot: the folder holding scene.json.
Expected<std::string> version_of(const fs::path& part) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(part, ec)) {
    if (fs::is_regular_file(e.path() / "scene.json", ec)) return e.path().filename().string();
  }
  return Error{ErrorCode::kNotFound, "no version folder with scene.json", part.string()};
}

/// Links (or copies) every file of `part` outside its version folder into `root`.
Status link_files(const fs::path& part, const std::string& version, const fs::path& root,
                  std::map<std::string, fs::path>& owner) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(part, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(part);
    if (*rel.begin() == version) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const fs::path dest = root / rel;
    const auto [at, fresh] = owner.emplace(rel.string(), part);
    if (!fresh) {
      auto a = slurp(dest), b = slurp(it->path());
      if (a && b && *a == *b) continue;
      return Error{ErrorCode::kConflict,
                   "file " + rel.string() + " differs between " + at->second.string() + " and " +
                       part.string(),
                   part.string()};
    }
    fs::create_directories(dest.parent_path(), ec);
    if (!ec) fs::create_hard_link(it->path(), dest, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(it->path(), dest, ec);
    }
    if (ec) return Error{ErrorCode::kIo, "cannot copy: " + ec.message(), it->path().string()};
  }
  if (ec) return Error{ErrorCode::kIo, "cannot list: " + ec.message(), part.string()};
  return {};
}

}  // namespace

Status merge_nuscenes_dataroots(const std::vector<fs::path>& parts, const fs::path& given_out,
                                bool overwrite) {
  const fs::path out = given_out.has_filename() ? given_out : given_out.parent_path();
  if (parts.empty())
    return Error{ErrorCode::kInvalidArgument, "no dataroot to merge", out.string()};
  std::string version;
  for (const fs::path& part : parts) {
    auto v = version_of(part);
    if (!v) return std::move(v).error();
    if (version.empty()) version = *v;
    if (*v != version) {
      return Error{ErrorCode::kConflict,
                   "version folder " + *v + " differs from the first part's " + version,
                   part.string()};
    }
  }
  // Every table, records in part order; a token seen before must name the same bytes.
  std::map<std::string, std::string> tables;
  for (const char* table : detail::kNuscenesTables) {
    std::vector<const Record*> merged;
    std::vector<std::vector<Record>> held;
    held.reserve(parts.size());
    std::unordered_map<std::string, std::pair<const Record*, const fs::path*>> seen;
    for (const fs::path& part : parts) {
      const fs::path file = part / version / (std::string(table) + ".json");
      auto text = slurp(file);
      if (!text) return std::move(text).error();
      auto records = split_records(*text, file);
      if (!records) return std::move(records).error();
      held.push_back(std::move(*records));
      for (const Record& r : held.back()) {
        const auto [it, fresh] = seen.emplace(r.token, std::make_pair(&r, &part));
        if (fresh) {
          merged.push_back(&r);
        } else if (it->second.first->text != r.text) {
          return Error{ErrorCode::kConflict,
                       std::string(table) + " token " + r.token + " names different records in " +
                           it->second.second->string() + " and " + part.string(),
                       file.string()};
        }
      }
    }
    std::string text = "[";
    for (std::size_t i = 0; i < merged.size(); ++i) {
      text += i == 0 ? "\n" : ",\n";
      text += merged[i]->text;
    }
    text += merged.empty() ? "]" : "\n]";
    tables[table] = std::move(text);
  }

  OutputFolders folders;
  if (Status made = folders.create(out.parent_path()); !made) return made;
  Expected<StagedDirectory> staged = StagedDirectory::begin(out, overwrite);
  if (!staged) return std::move(staged).error();
  const fs::path root = staged->path();
  std::map<std::string, fs::path> owner;
  for (const fs::path& part : parts) {
    if (Status s = link_files(part, version, root, owner); !s) return s;
  }
  std::error_code ec;
  fs::create_directories(root / version, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create folder: " + ec.message(), root.string()};
  for (const auto& [table, text] : tables) {
    if (Status s = write_staged_file(root / version / (table + ".json"), text); !s) return s;
  }
  if (Status s = staged->commit(); !s) return s;
  folders.keep();
  return {};
}

}  // namespace pcanno::formats
