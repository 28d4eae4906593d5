#include "clouds/ply_header.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats::detail {
namespace {

Error at_line(ErrorCode code, std::string message, const std::string& path, std::int64_t line) {
  Error e{code, std::move(message), path};
  e.line = line;
  return e;
}

bool parse_type(std::string_view name, ScalarType& type) {
  struct Spelling {
    const char* classic;
    const char* sized;
    ScalarType type;
  };
  static const Spelling kTypes[] = {
      {"char", "int8", ScalarType::kInt8},        {"uchar", "uint8", ScalarType::kUint8},
      {"short", "int16", ScalarType::kInt16},     {"ushort", "uint16", ScalarType::kUint16},
      {"int", "int32", ScalarType::kInt32},       {"uint", "uint32", ScalarType::kUint32},
      {"float", "float32", ScalarType::kFloat32}, {"double", "float64", ScalarType::kFloat64},
  };
  for (const Spelling& s : kTypes) {
    if (name == s.classic || name == s.sized) {
      type = s.type;
      return true;
    }
  }
  return false;
}

constexpr const char* kTypeList =
    "char uchar short ushort int uint float double or int8 uint8 int16 uint16 int32 uint32 "
    "float32 float64";

/// `names`: the property names of the current element so far, to refuse repeats (a set: headers
/// may list thousands of properties).
Status parse_property(const std::vector<std::string_view>& t, std::int64_t line,
                      std::vector<PlyElement>& elements, std::set<std::string_view>& names,
                      const std::string& path) {
  if (elements.empty()) {
    return at_line(ErrorCode::kMalformed, "property before any element line", path, line);
  }
  PlyProperty p;
  p.line = line;
  const bool list = t.size() >= 2 && t[1] == "list";
  if (t.size() != (list ? 5u : 3u)) {
    return at_line(ErrorCode::kMalformed,
                   list ? "expected 'property list <count type> <item type> <name>'"
                        : "expected 'property <type> <name>'",
                   path, line);
  }
  p.is_list = list;
  p.name = std::string(t.back());
  const std::string_view type = list ? t[3] : t[1];
  if (!parse_type(type, p.type)) {
    return at_line(ErrorCode::kMalformed,
                   "unknown property type " + quote_token(type) + " (expected " + kTypeList + ")",
                   path, line);
  }
  if (list && (!parse_type(t[2], p.count_type) || is_floating(p.count_type))) {
    return at_line(ErrorCode::kMalformed,
                   "list length type " + quote_token(t[2]) + " (expected an integer type)", path,
                   line);
  }
  PlyElement& element = elements.back();
  if (!names.insert(t.back()).second) {
    return at_line(ErrorCode::kMalformed,
                   "property " + quote_token(p.name) + " of element " + quote_token(element.name) +
                       " appears twice",
                   path, line);
  }
  element.properties.push_back(std::move(p));
  return {};
}

Status parse_format(const std::vector<std::string_view>& t, std::int64_t line, PlyHeader& h,
                    const std::string& path) {
  if (t.size() != 3) {
    return at_line(ErrorCode::kMalformed, "expected 'format <encoding> 1.0'", path, line);
  }
  if (t[1] == "ascii") {
    h.encoding = PlyEncoding::kAscii;
  } else if (t[1] == "binary_little_endian") {
    h.encoding = PlyEncoding::kBinaryLittleEndian;
  } else if (t[1] == "binary_big_endian") {
    h.encoding = PlyEncoding::kBinaryBigEndian;
  } else {
    return at_line(ErrorCode::kUnsupported,
                   "format " + quote_token(t[1]) +
                       " (expected ascii, binary_little_endian or binary_big_endian)",
                   path, line);
  }
  if (t[2] != "1.0" && t[2] != "1") {
    return at_line(ErrorCode::kUnsupported, "PLY version " + quote_token(t[2]) + " (expected 1.0)",
                   path, line);
  }
  return {};
}

}  // namespace

bool is_ply_magic(std::string_view head) {
  if (head.substr(0, 3) != "ply") return false;
  for (std::size_t i = 3; i < head.size(); ++i) {
    if (head[i] == '\n') return true;
    if (!is_blank(head[i])) return false;
  }
  return false;
}

const char* to_string(PlyEncoding encoding) {
  switch (encoding) {
    case PlyEncoding::kAscii:
      return "ascii";
    case PlyEncoding::kBinaryLittleEndian:
      return "binary_little_endian";
    case PlyEncoding::kBinaryBigEndian:
      return "binary_big_endian";
  }
  return "unknown";
}

bool PlyElement::has_lists() const {
  for (const PlyProperty& p : properties) {
    if (p.is_list) return true;
  }
  return false;
}

std::size_t PlyElement::min_item_bytes() const {
  std::size_t bytes = 0;
  for (const PlyProperty& p : properties) bytes += scalar_size(p.is_list ? p.count_type : p.type);
  return bytes;
}

Expected<PlyHeader> parse_ply_header(const std::uint8_t* bytes, std::size_t n,
                                     const std::string& path) {
  return guard_allocation(path, [&]() -> Expected<PlyHeader> {
    const char* text = reinterpret_cast<const char*>(bytes);
    const std::string_view head(text, n);
    if (!is_ply_magic(head)) {
      return at_line(ErrorCode::kMalformed,
                     "expected 'ply' alone on the first line (the PLY magic), found " +
                         quote_token(head.substr(0, std::min<std::size_t>(n, 16))),
                     path, 1);
    }
    PlyHeader h;
    bool have_format = false;
    std::size_t pos = head.find('\n') + 1;
    std::int64_t line = 1;
    std::vector<std::string_view> t;
    std::set<std::string_view> property_names;  // views into `bytes`, which outlives the parse
    while (pos < n) {
      const void* nl = std::memchr(text + pos, '\n', n - pos);
      const std::size_t eol =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text) : n;
      const std::string_view content = trim(std::string_view(text + pos, eol - pos));
      pos = nl ? eol + 1 : n;
      ++line;
      split_tokens(content, t);
      if (t.empty()) continue;
      const std::string_view keyword = t.front();
      if (keyword == "comment" || keyword == "obj_info") continue;
      if (keyword == "end_header") {
        if (!have_format) {
          return at_line(ErrorCode::kMalformed, "end_header before any format line", path, line);
        }
        h.data_offset = pos;
        h.lines = line;
        return h;
      }
      if (keyword == "format") {
        if (have_format) return at_line(ErrorCode::kMalformed, "second format line", path, line);
        if (Status s = parse_format(t, line, h, path); !s) return std::move(s).error();
        have_format = true;
      } else if (keyword == "element") {
        PlyElement e;
        e.line = line;
        if (t.size() != 3 || !parse_uint64(t[2], e.count)) {
          return at_line(ErrorCode::kMalformed, "expected 'element <name> <count>'", path, line);
        }
        e.name = std::string(t[1]);
        h.elements.push_back(std::move(e));
        property_names.clear();
      } else if (keyword == "property") {
        if (Status s = parse_property(t, line, h.elements, property_names, path); !s) {
          return std::move(s).error();
        }
      } else {
        return at_line(ErrorCode::kMalformed,
                       "expected a PLY header keyword (format, comment, obj_info, element, "
                       "property, end_header), found " +
                           quote_token(keyword),
                       path, line);
      }
    }
    return at_line(ErrorCode::kMalformed, "header ends without an end_header line", path, line);
  });
}

}  // namespace pcanno::formats::detail
