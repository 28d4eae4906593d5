// Class knowledge has one home: the class schema (formats/labels/class_schema.hpp). Code that
// wants a class's size prior, motion limits or heading behaviour asks the document's schema
// (Annotations::class_or_default), and a new box's class is Annotations::default_class(). This
// test reads the source tree of geometry/, formats/, plugin/, viewer/ and app/ and fails on any
// string literal that names a dataset class ("Car", "pedestrian", ...) outside the default schema
// and the codecs' mapping tables, naming file:line.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace pcanno::test {
namespace {

struct Literal {
  std::string text;      ///< the characters between the quotes, escapes as written
  std::size_t line = 0;  ///< 1-based line of the opening quote
};

/// The string literals of C or C++ source text, outside comments and character literals. Raw
/// strings (R"delim(...)delim") count with their content; prefixes (u8, L) are ignored.
std::vector<Literal> string_literals(std::string_view src) {
  std::vector<Literal> out;
  std::size_t line = 1;
  const auto advance_to = [&](std::size_t from, std::size_t to) {
    line +=
        static_cast<std::size_t>(std::count(src.begin() + static_cast<std::ptrdiff_t>(from),
                                            src.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
  };
  std::size_t i = 0;
  while (i < src.size()) {
    const char c = src[i];
    const char next = i + 1 < src.size() ? src[i + 1] : '\0';
    if (c == '/' && next == '/') {
      const std::size_t end = src.find('\n', i);
      i = end == std::string_view::npos ? src.size() : end;
    } else if (c == '/' && next == '*') {
      const std::size_t end = src.find("*/", i + 2);
      const std::size_t stop = end == std::string_view::npos ? src.size() : end + 2;
      advance_to(i, stop);
      i = stop;
    } else if (c == '\'') {
      // A digit separator (1'000) is not a character literal.
      const bool separator = i > 0 && std::isxdigit(static_cast<unsigned char>(src[i - 1])) &&
                             std::isxdigit(static_cast<unsigned char>(next));
      ++i;
      if (separator) continue;
      while (i < src.size() && src[i] != '\'' && src[i] != '\n') i += src[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '"') {
      const bool raw = i > 0 && src[i - 1] == 'R';
      const std::size_t start_line = line;
      if (raw) {
        const std::size_t open = src.find('(', i);
        if (open == std::string_view::npos) break;
        const std::string close = ")" + std::string(src.substr(i + 1, open - i - 1)) + "\"";
        const std::size_t end = src.find(close, open + 1);
        const std::size_t stop = end == std::string_view::npos ? src.size() : end;
        out.push_back({std::string(src.substr(open + 1, stop - open - 1)), start_line});
        const std::size_t after = std::min(src.size(), stop + close.size());
        advance_to(i, after);
        i = after;
      } else {
        std::size_t j = i + 1;
        while (j < src.size() && src[j] != '"' && src[j] != '\n') j += src[j] == '\\' ? 2 : 1;
        j = std::min(j, src.size());
        out.push_back({std::string(src.substr(i + 1, j - i - 1)), start_line});
        i = j + 1;
      }
    } else {
      if (c == '\n') ++line;
      ++i;
    }
  }
  return out;
}

/// KITTI's class names, which engine code used to test labels against. Compared ignoring case, so
/// that a substring test on lower-cased names ("truck") is caught too.
bool names_a_class(std::string_view literal) {
  static constexpr std::string_view kClassNames[] = {
      "Car", "Van", "Truck", "Pedestrian", "Cyclist", "Tram", "Person_sitting"};
  for (std::string_view name : kClassNames) {
    if (literal.size() == name.size() &&
        std::equal(name.begin(), name.end(), literal.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

/// Files that may name classes, and why.
const std::map<std::string, std::string>& allowed_files() {
  static const std::map<std::string, std::string> kAllowed = {
      {"formats/src/labels/class_schema.cpp", "the default class schema"},
      {"formats/src/labels/label_codec.cpp", "default_nuscenes_class_map: KITTI <-> nuScenes"},
      {"formats/src/labels/kitti/projection.cpp", "KITTI's own type names, for the class map"},
      {"plugin/src/detectors/classical_detector.cpp",
       "the classes the built-in detector outputs, in the default schema's KITTI spelling"},
  };
  return kAllowed;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ClassNameScan, FindsStringLiteralsOutsideCommentsAndCharacters) {
  const std::vector<Literal> found = string_literals(
      "// \"Car\" in a comment\n"
      "/* \"Van\"\n \"Truck\" */ x = \"one\";\n"
      "char q = '\"'; int n = 1'000; s = \"say \\\"two\\\"\";\n"
      "r = R\"x(raw \"quoted\")x\"; t = \"Car\";\n");
  std::vector<std::string> texts;
  for (const Literal& l : found) texts.push_back(l.text + "@" + std::to_string(l.line));
  EXPECT_EQ(texts,
            (std::vector<std::string>{"one@3", "say \\\"two\\\"@4", "raw \"quoted\"@5", "Car@5"}));
}

TEST(ClassNameScan, ClassNamesMatchWholeLiteralsIgnoringCase) {
  EXPECT_TRUE(names_a_class("Car"));
  EXPECT_TRUE(names_a_class("truck"));
  EXPECT_TRUE(names_a_class("PERSON_SITTING"));
  EXPECT_FALSE(names_a_class("Carry on"));
  EXPECT_FALSE(names_a_class("vehicle.car"));
  EXPECT_FALSE(names_a_class(""));
}

TEST(ClassNameScan, NoClassNameLiteralsOutsideTheSchemaAndCodecTables) {
  const std::filesystem::path root = PCANNO_SOURCE_DIR;
  std::string report;
  std::set<std::string> allowed_with_names;
  std::size_t files = 0;
  for (const char* module : {"geometry", "formats", "plugin", "viewer", "app"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / module)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() ||
          (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c")) {
        continue;
      }
      ++files;
      const std::string relative = entry.path().lexically_relative(root).generic_string();
      const bool allowed = allowed_files().count(relative) > 0;
      for (const Literal& l : string_literals(read_text(entry.path()))) {
        if (!names_a_class(l.text)) continue;
        if (allowed) {
          allowed_with_names.insert(relative);
        } else {
          report += relative + ":" + std::to_string(l.line) + ": \"" + l.text + "\"\n";
        }
      }
    }
  }
  ASSERT_GT(files, 200u) << "the scan found too few files under " << root;
  EXPECT_TRUE(report.empty())
      << "class names belong in the class schema (formats/labels/class_schema.hpp): read the "
         "class's ClassSpec with Annotations::class_or_default(label), the new-box class with "
         "Annotations::default_class():\n"
      << report;
  for (const auto& [file, why] : allowed_files()) {
    EXPECT_TRUE(allowed_with_names.count(file) > 0)
        << file << " (" << why << ") names no class any more: remove it from the allow-list";
  }
}

}  // namespace
}  // namespace pcanno::test
