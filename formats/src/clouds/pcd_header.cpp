#include <cstring>
#include <set>
#include <string_view>
#include <utility>

#include "clouds/pcd_ply_scalar.hpp"
#include "pcanno/formats/clouds/pcd.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

namespace pcanno::formats {
namespace {

using detail::quote_token;

/// A header holding more values per point than this is damage, not a descriptor (the largest PCL
/// descriptors have about 2000), and would otherwise make thousands of columns from a few bytes.
constexpr std::uint64_t kMaxValuesPerPoint = 1u << 16;

Error at_line(ErrorCode code, std::string message, const std::string& path, std::int64_t line) {
  Error e{code, std::move(message), path};
  e.line = line;
  return e;
}

/// A keyword's value tokens and the line they came from (0: the keyword never appeared).
struct HeaderLine {
  std::vector<std::string_view> values;
  std::int64_t line = 0;
};

struct RawHeader {
  HeaderLine version, fields, size, type, count, width, height, viewpoint, points, data;
};

HeaderLine* slot_for(RawHeader& h, std::string_view keyword) {
  if (keyword == "VERSION") return &h.version;
  // v.5-era writers used COLUMNS for FIELDS; PCL still reads it.
  if (keyword == "FIELDS" || keyword == "COLUMNS") return &h.fields;
  if (keyword == "SIZE") return &h.size;
  if (keyword == "TYPE") return &h.type;
  if (keyword == "COUNT") return &h.count;
  if (keyword == "WIDTH") return &h.width;
  if (keyword == "HEIGHT") return &h.height;
  if (keyword == "VIEWPOINT") return &h.viewpoint;
  if (keyword == "POINTS") return &h.points;
  if (keyword == "DATA") return &h.data;
  return nullptr;
}

/// Splits the header into keyword lines up to DATA, and finds where the data starts.
Expected<std::size_t> scan_header(const char* text, std::size_t n, RawHeader& h,
                                  const std::string& path) {
  std::size_t pos = 0;
  std::int64_t line_number = 0;
  std::vector<std::string_view> tokens;
  while (pos < n) {
    const void* nl = std::memchr(text + pos, '\n', n - pos);
    const std::size_t eol = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text) : n;
    const std::string_view line = detail::trim(std::string_view(text + pos, eol - pos));
    pos = nl ? eol + 1 : n;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    detail::split_tokens(line, tokens);
    HeaderLine* slot = slot_for(h, tokens.front());
    if (slot == nullptr) {
      return at_line(ErrorCode::kMalformed,
                     "expected a PCD header keyword (VERSION, FIELDS, SIZE, TYPE, COUNT, WIDTH, "
                     "HEIGHT, VIEWPOINT, POINTS, DATA), found " +
                         quote_token(tokens.front()),
                     path, line_number);
    }
    if (slot->line != 0) {
      return at_line(ErrorCode::kMalformed,
                     std::string(tokens.front()) + " repeated (first on line " +
                         std::to_string(slot->line) + ")",
                     path, line_number);
    }
    slot->line = line_number;
    slot->values.assign(tokens.begin() + 1, tokens.end());
    if (slot == &h.data) return pos;
  }
  return at_line(ErrorCode::kMalformed, "header ends without a DATA line", path, line_number);
}

Status parse_count_line(const HeaderLine& l, const char* keyword, std::uint64_t& value,
                        const std::string& path) {
  if (l.values.size() != 1 || !detail::parse_uint64(l.values[0], value)) {
    return at_line(ErrorCode::kMalformed,
                   std::string("expected one non-negative integer after ") + keyword, path, l.line);
  }
  return {};
}

/// Same length as FIELDS, or a message naming both.
Status check_list_length(const HeaderLine& l, const char* keyword, std::size_t fields,
                         const std::string& path) {
  if (l.values.size() == fields) return {};
  return at_line(ErrorCode::kMalformed,
                 std::string(keyword) + " lists " + std::to_string(l.values.size()) +
                     " values for " + std::to_string(fields) + " FIELDS",
                 path, l.line);
}

bool supported_pair(char type, std::size_t size) {
  if (type == 'F') return size == 4 || size == 8;
  if (type == 'I' || type == 'U') return size == 1 || size == 2 || size == 4 || size == 8;
  return false;
}

Status fill_fields(const RawHeader& h, PcdHeader& out, const std::string& path) {
  if (h.fields.line == 0) return Error{ErrorCode::kMalformed, "no FIELDS line before DATA", path};
  if (h.size.line == 0) return Error{ErrorCode::kMalformed, "no SIZE line before DATA", path};
  if (h.type.line == 0) return Error{ErrorCode::kMalformed, "no TYPE line before DATA", path};
  const std::size_t nf = h.fields.values.size();
  if (nf == 0) return at_line(ErrorCode::kMalformed, "FIELDS lists no field", path, h.fields.line);
  for (const auto* l : {&h.size, &h.type}) {
    const char* keyword = l == &h.size ? "SIZE" : "TYPE";
    if (Status s = check_list_length(*l, keyword, nf, path); !s) return s;
  }
  // PCL omits COUNT when every field has one element.
  if (h.count.line != 0) {
    if (Status s = check_list_length(h.count, "COUNT", nf, path); !s) return s;
  }
  std::uint64_t values_per_point = 0;
  std::set<std::string_view> names;
  out.fields.resize(nf);
  for (std::size_t i = 0; i < nf; ++i) {
    PcdField& f = out.fields[i];
    f.name = std::string(h.fields.values[i]);
    if (f.name != "_" && !names.insert(h.fields.values[i]).second) {  // "_" is padding
      return at_line(ErrorCode::kMalformed, "field " + quote_token(f.name) + " listed twice", path,
                     h.fields.line);
    }
    std::uint64_t size = 0;
    if (!detail::parse_uint64(h.size.values[i], size)) {
      return at_line(ErrorCode::kMalformed,
                     "SIZE of field " + quote_token(f.name) + ": expected a byte count, found " +
                         quote_token(h.size.values[i]),
                     path, h.size.line);
    }
    const std::string_view type = h.type.values[i];
    if (type.size() != 1 || !supported_pair(type[0], static_cast<std::size_t>(size))) {
      return at_line(ErrorCode::kUnsupported,
                     "field " + quote_token(f.name) + ": TYPE " + quote_token(type) +
                         " with SIZE " + std::to_string(size) +
                         " is not supported (expected F 4/8, I 1/2/4/8 or U 1/2/4/8)",
                     path, h.type.line);
    }
    f.type = type[0];
    f.size = static_cast<std::size_t>(size);
    std::uint64_t count = 1;
    if (h.count.line != 0 && (!detail::parse_uint64(h.count.values[i], count) || count == 0)) {
      return at_line(ErrorCode::kMalformed,
                     "COUNT of field " + quote_token(f.name) +
                         ": expected a positive integer, found " + quote_token(h.count.values[i]),
                     path, h.count.line);
    }
    values_per_point += count;
    if (values_per_point > kMaxValuesPerPoint) {
      return at_line(
          ErrorCode::kUnsupported,
          "COUNT adds up to more than " + std::to_string(kMaxValuesPerPoint) + " values per point",
          path, h.count.line);
    }
    f.count = static_cast<std::size_t>(count);
  }
  return {};
}

Status fill_layout(const RawHeader& h, PcdHeader& out, const std::string& path) {
  if (h.version.line != 0) {
    double version = 0.0;
    if (h.version.values.size() != 1 || !detail::parse_double(h.version.values[0], version)) {
      return at_line(ErrorCode::kMalformed, "expected a version number after VERSION", path,
                     h.version.line);
    }
    if (version < 0.5 - 1e-9 || version > 0.7 + 1e-9) {
      return at_line(ErrorCode::kUnsupported,
                     "VERSION " + quote_token(h.version.values[0]) + " (expected .5 to .7)", path,
                     h.version.line);
    }
    out.version = std::string(h.version.values[0]);
  }
  if (h.width.line != 0) {
    if (Status s = parse_count_line(h.width, "WIDTH", out.width, path); !s) return s;
  }
  if (h.height.line != 0) {
    if (Status s = parse_count_line(h.height, "HEIGHT", out.height, path); !s) return s;
  }
  if (h.points.line != 0) {
    if (Status s = parse_count_line(h.points, "POINTS", out.points, path); !s) return s;
  } else if (h.width.line != 0) {
    if (__builtin_mul_overflow(out.width, out.height, &out.points)) {
      return at_line(ErrorCode::kMalformed, "WIDTH * HEIGHT overflows", path, h.height.line);
    }
  } else {
    return Error{ErrorCode::kMalformed, "neither POINTS nor WIDTH given before DATA", path};
  }
  if (h.width.line == 0) out.width = out.points;  // a bare POINTS line means one row
  if (h.viewpoint.line != 0) {
    bool ok = h.viewpoint.values.size() == 7;
    for (std::size_t i = 0; ok && i < 7; ++i) {
      ok = detail::parse_double(h.viewpoint.values[i], out.viewpoint[i]);
    }
    if (!ok) {
      return at_line(ErrorCode::kMalformed,
                     "expected 7 numbers after VIEWPOINT (tx ty tz qw qx qy qz)", path,
                     h.viewpoint.line);
    }
  }
  const std::string_view kind = h.data.values.empty() ? std::string_view() : h.data.values[0];
  if (h.data.values.size() == 1 && kind == "ascii") {
    out.data = PcdDataKind::kAscii;
  } else if (h.data.values.size() == 1 && kind == "binary") {
    out.data = PcdDataKind::kBinary;
  } else if (h.data.values.size() == 1 && kind == "binary_compressed") {
    out.data = PcdDataKind::kBinaryCompressed;
  } else {
    return at_line(ErrorCode::kUnsupported,
                   "DATA " + quote_token(kind) + " (expected ascii, binary or binary_compressed)",
                   path, h.data.line);
  }
  return {};
}

}  // namespace

const char* to_string(PcdDataKind kind) {
  switch (kind) {
    case PcdDataKind::kAscii:
      return "ascii";
    case PcdDataKind::kBinary:
      return "binary";
    case PcdDataKind::kBinaryCompressed:
      return "binary_compressed";
  }
  return "unknown";
}

std::size_t PcdHeader::point_stride() const {
  std::size_t stride = 0;
  // Cannot overflow for a parsed header: at most 2^16 values of at most 8 bytes.
  for (const PcdField& f : fields) stride += f.size * f.count;
  return stride;
}

Expected<PcdHeader> parse_pcd_header(const void* bytes, std::size_t n,
                                     const std::string& path_for_errors) {
  return detail::guard_allocation(path_for_errors, [&]() -> Expected<PcdHeader> {
    RawHeader raw;
    Expected<std::size_t> data_offset =
        scan_header(static_cast<const char*>(bytes), n, raw, path_for_errors);
    if (!data_offset) return std::move(data_offset).error();
    PcdHeader header;
    header.data_offset = *data_offset;
    if (Status s = fill_fields(raw, header, path_for_errors); !s) return std::move(s).error();
    if (Status s = fill_layout(raw, header, path_for_errors); !s) return std::move(s).error();
    return header;
  });
}

}  // namespace pcanno::formats
