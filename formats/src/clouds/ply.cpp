#include "pcanno/formats/clouds/ply.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "clouds/exact_xyz.hpp"
#include "clouds/pcd_ply_progress.hpp"
#include "clouds/pcd_ply_scalar.hpp"
#include "clouds/ply_header.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

// Little-endian files are decoded without swapping and big-endian ones with; a big-endian host
// would need the opposite.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "PLY decoding assumes a little-endian host");

namespace pcanno::formats {
namespace {

using detail::PlyElement;
using detail::PlyEncoding;
using detail::PlyHeader;
using detail::PlyProperty;
using detail::ProgressSlice;
using detail::quote_token;

/// Vertices decoded per pass over the columns: small enough to stay in L2 between columns.
constexpr std::size_t kChunkBytes = std::size_t{256} << 10;

Error located(ErrorCode code, std::string message, const std::string& path, std::size_t offset,
              std::int64_t line = -1) {
  Error e{code, std::move(message), path};
  e.offset = static_cast<std::int64_t>(offset);
  e.line = line;
  return e;
}

std::string item_label(const PlyElement& e, std::uint64_t item, const PlyProperty& p) {
  return "element " + quote_token(e.name) + " item " + std::to_string(item) + " of " +
         std::to_string(e.count) + ", property " + quote_token(p.name);
}

/// Binary element data: fixed-size elements by arithmetic, elements with lists item by item, every
/// read checked against the end of the buffer.
class BinaryData {
 public:
  BinaryData(const std::uint8_t* bytes, std::size_t size, bool swap, const std::string& path)
      : bytes_(bytes), size_(size), swap_(swap), path_(path) {}

  /// Checks that `count` items of the fixed size fit from `pos`.
  Status check_fixed(const PlyElement& e, std::size_t pos) const {
    const std::size_t item = e.min_item_bytes();
    std::uint64_t need = 0;
    const bool overflow = __builtin_mul_overflow(e.count, std::uint64_t{item}, &need);
    if (!overflow && need <= size_ - pos) return {};
    return located(ErrorCode::kTruncated,
                   "element " + quote_token(e.name) + " ends at byte " + std::to_string(size_) +
                       ": the header promises " + std::to_string(e.count) + " items x " +
                       std::to_string(item) +
                       " B = " + (overflow ? std::string("more than 2^64") : std::to_string(need)) +
                       " bytes from byte " + std::to_string(pos) + ", only " +
                       std::to_string(size_ - pos) + " present",
                   path_, size_);
  }

  /// One item of an element with list properties; scalar p goes to dst[p][i] when dst is given
  /// and dst[p] set (and to exact[p][i] in double when that is set). Returns the position after the
  /// item.
  Expected<std::size_t> walk_item(const PlyElement& e, std::size_t pos, std::uint64_t item,
                                  float* const* dst, double* const* exact = nullptr) const {
    for (std::size_t p = 0; p < e.properties.size(); ++p) {
      const PlyProperty& prop = e.properties[p];
      const std::size_t head = detail::scalar_size(prop.is_list ? prop.count_type : prop.type);
      if (size_ - pos < head) return ran_out(e, item, prop, head - (size_ - pos));
      if (!prop.is_list) {
        if (dst != nullptr && dst[p] != nullptr) {
          detail::decode_column(prop.type, swap_, bytes_ + pos, 0, 1, dst[p] + item);
        }
        if (exact != nullptr && exact[p] != nullptr) {
          exact[p][item] = detail::load_as_double(prop.type, swap_, bytes_ + pos);
        }
        pos += head;
        continue;
      }
      const double length = detail::load_as_double(prop.count_type, swap_, bytes_ + pos);
      if (length < 0) {
        return located(ErrorCode::kMalformed,
                       item_label(e, item, prop) + ": negative list length " +
                           std::to_string(static_cast<long long>(length)),
                       path_, pos);
      }
      pos += head;
      // Lengths come from types of at most 32 bits, so the product is exact in 64 bits.
      const std::uint64_t bytes =
          static_cast<std::uint64_t>(length) * detail::scalar_size(prop.type);
      if (bytes > size_ - pos) return ran_out(e, item, prop, bytes - (size_ - pos));
      pos += static_cast<std::size_t>(bytes);
    }
    return pos;
  }

  /// Skips a whole element; returns the position after it.
  Expected<std::size_t> skip(const PlyElement& e, std::size_t pos, ProgressSlice& progress) const {
    if (!e.has_lists()) {
      if (Status s = check_fixed(e, pos); !s) return std::move(s).error();
      return pos + static_cast<std::size_t>(e.count * e.min_item_bytes());
    }
    for (std::uint64_t i = 0; i < e.count; ++i) {
      Expected<std::size_t> next = walk_item(e, pos, i, nullptr);
      if (!next) return next;
      pos = *next;
      if (!progress.update(pos)) return detail::cancelled_error(path_);
    }
    return pos;
  }

  /// Decodes the vertex element into dst (one column per property, nullptr for lists), and the
  /// properties with an `exact` column into it in double as well.
  Expected<std::size_t> read(const PlyElement& e, std::size_t pos, float* const* dst,
                             double* const* exact, ProgressSlice& progress) const {
    const auto n = static_cast<std::size_t>(e.count);
    if (e.has_lists()) {
      for (std::size_t i = 0; i < n; ++i) {
        Expected<std::size_t> next = walk_item(e, pos, i, dst, exact);
        if (!next) return next;
        pos = *next;
        if (!progress.update(pos)) return detail::cancelled_error(path_);
      }
      return pos;
    }
    const std::size_t stride = e.min_item_bytes();
    std::vector<std::size_t> offsets;
    std::size_t offset = 0;
    for (const PlyProperty& p : e.properties) {
      offsets.push_back(offset);
      offset += detail::scalar_size(p.type);
    }
    const std::size_t chunk = std::max<std::size_t>(1, kChunkBytes / stride);
    for (std::size_t begin = 0; begin < n; begin += chunk) {
      const std::size_t count = std::min(chunk, n - begin);
      const std::uint8_t* records = bytes_ + pos + begin * stride;
      for (std::size_t p = 0; p < e.properties.size(); ++p) {
        detail::decode_column(e.properties[p].type, swap_, records + offsets[p], stride, count,
                              dst[p] + begin);
        if (exact[p] == nullptr) continue;
        for (std::size_t j = 0; j < count; ++j) {
          exact[p][begin + j] = detail::load_as_double(e.properties[p].type, swap_,
                                                       records + offsets[p] + j * stride);
        }
      }
      if (!progress.update(pos + (begin + count) * stride)) return detail::cancelled_error(path_);
    }
    return pos + n * stride;
  }

 private:
  Error ran_out(const PlyElement& e, std::uint64_t item, const PlyProperty& p,
                std::uint64_t missing) const {
    return located(ErrorCode::kTruncated,
                   "data ends at byte " + std::to_string(size_) + " in " + item_label(e, item, p) +
                       ": " + std::to_string(missing) + " more bytes expected",
                   path_, size_);
  }

  const std::uint8_t* bytes_;
  std::size_t size_;
  bool swap_;
  const std::string& path_;
};

/// Whitespace-separated tokens of ASCII element data, with line numbers for messages. PLY ASCII is
/// a token stream, so items split over lines (or joined on one) still read.
class TokenScanner {
 public:
  TokenScanner(const char* text, std::size_t begin, std::size_t end, std::int64_t line)
      : text_(text), pos_(begin), end_(end), line_(line) {}

  bool next(std::string_view& token) {
    while (pos_ < end_ && is_space(text_[pos_])) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ == end_) return false;
    const std::size_t start = pos_;
    while (pos_ < end_ && !is_space(text_[pos_])) ++pos_;
    token = std::string_view(text_ + start, pos_ - start);
    return true;
  }

  std::int64_t line() const { return line_; }
  std::size_t position() const { return pos_; }

 private:
  static bool is_space(char c) { return c == '\n' || detail::is_blank(c); }

  const char* text_;
  std::size_t pos_;
  std::size_t end_;
  std::int64_t line_;
};

class AsciiData {
 public:
  AsciiData(const char* text, std::size_t size, const PlyHeader& h, const std::string& path)
      : size_(size), path_(path), scan_(text, h.data_offset, size, h.lines + 1) {}

  /// Walks (and with dst, decodes) a whole element; properties with an `exact` column are parsed
  /// into it in double as well.
  Status walk(const PlyElement& e, float* const* dst, double* const* exact,
              ProgressSlice& progress) {
    if (e.properties.empty()) return {};  // items without properties take no tokens
    std::string_view token;
    for (std::uint64_t i = 0; i < e.count; ++i) {
      for (std::size_t p = 0; p < e.properties.size(); ++p) {
        const PlyProperty& prop = e.properties[p];
        if (!scan_.next(token)) return ran_out(e, i, prop);
        if (prop.is_list) {
          std::uint64_t length = 0;
          if (!detail::parse_uint64(token, length)) {
            return malformed(e, i, prop, "expected a list length, found " + quote_token(token));
          }
          for (std::uint64_t k = 0; k < length; ++k) {
            if (!scan_.next(token)) return ran_out(e, i, prop);
          }
        } else if (dst != nullptr && dst[p] != nullptr &&
                   !detail::parse_ascii_scalar(token, prop.type, dst[p][i])) {
          return malformed(e, i, prop, "expected a number, found " + quote_token(token));
        } else if (exact != nullptr && exact[p] != nullptr) {
          detail::parse_double_or_nan(token, exact[p][i]);  // valid: the float parse accepted it
        }
      }
      if (!progress.update(scan_.position())) return detail::cancelled_error(path_);
    }
    return {};
  }

  /// Checked before allocating, so a lying count costs nothing: every property of every item needs
  /// at least one character and one separator.
  Status check_capacity(const PlyElement& e) const {
    const std::uint64_t available = size_ - scan_.position();
    const std::uint64_t per_item = 2 * std::uint64_t{e.properties.size()};
    if (per_item == 0 || e.count <= (available + 1) / per_item) return {};
    return located(ErrorCode::kTruncated,
                   "element " + quote_token(e.name) + " ends at byte " + std::to_string(size_) +
                       ": the header promises " + std::to_string(e.count) + " items of " +
                       std::to_string(e.properties.size()) + " values (at least " +
                       std::to_string(per_item) + " bytes each) from byte " +
                       std::to_string(scan_.position()) + ", only " + std::to_string(available) +
                       " bytes present",
                   path_, size_, scan_.line());
  }

  std::size_t position() const { return scan_.position(); }

 private:
  Error ran_out(const PlyElement& e, std::uint64_t item, const PlyProperty& p) const {
    return located(ErrorCode::kTruncated,
                   "ascii data ends at byte " + std::to_string(size_) + " in " +
                       item_label(e, item, p) + ": a value expected",
                   path_, size_, scan_.line());
  }
  Error malformed(const PlyElement& e, std::uint64_t item, const PlyProperty& p,
                  const std::string& what) const {
    Error err{ErrorCode::kMalformed, item_label(e, item, p) + ": " + what, path_};
    err.line = scan_.line();
    return err;
  }

  std::size_t size_;
  const std::string& path_;
  TokenScanner scan_;
};

/// The first `vertex` element, checked for scalar x, y and z.
Expected<std::size_t> find_vertices(const PlyHeader& h, const std::string& path) {
  for (std::size_t i = 0; i < h.elements.size(); ++i) {
    if (h.elements[i].name != "vertex") continue;
    for (const char* axis : {"x", "y", "z"}) {
      const auto& props = h.elements[i].properties;
      const auto it = std::find_if(props.begin(), props.end(),
                                   [&](const PlyProperty& p) { return p.name == axis; });
      if (it == props.end() || it->is_list) {
        Error e{ErrorCode::kUnsupported,
                std::string("element 'vertex' has no scalar property '") + axis +
                    "': a point cloud needs x, y and z",
                path};
        e.line = h.elements[i].line;
        return e;
      }
    }
    return i;
  }
  return Error{ErrorCode::kUnsupported, "no 'vertex' element: nothing to read as points", path};
}

/// Sizes the cloud for the vertex element and returns one column per property (nullptr for lists);
/// `exact_dst` gets the double columns of float64 x, y, z (nullptr for every other property).
std::vector<float*> allocate(const PlyElement& vertex, PointCloud& cloud, detail::ExactXyz& exact,
                             std::vector<double*>& exact_dst) {
  for (const PlyProperty& p : vertex.properties) {
    if (!p.is_list && p.name != "x" && p.name != "y" && p.name != "z") {
      cloud.attributes.push_back(PointAttribute{p.name, {}});
    }
  }
  cloud.resize(static_cast<std::size_t>(vertex.count));
  std::vector<float*> dst;
  exact_dst.clear();
  std::size_t attribute = 0;
  for (const PlyProperty& p : vertex.properties) {
    exact_dst.push_back(nullptr);
    if (p.is_list) {
      dst.push_back(nullptr);
    } else if (p.name == "x" || p.name == "y" || p.name == "z") {
      const int k = p.name == "x" ? 0 : p.name == "y" ? 1 : 2;
      dst.push_back(k == 0 ? cloud.x.data() : k == 1 ? cloud.y.data() : cloud.z.data());
      exact_dst.back() = exact.prepare(k, p.type, cloud.size());
    } else {
      dst.push_back(cloud.attributes[attribute++].values.data());
    }
  }
  return dst;
}

Expected<CloudFile> decode_ply(const std::uint8_t* bytes, std::size_t size,
                               const std::function<bool(double)>& callback, double begin,
                               const std::string& path) {
  if (size == 0) return detail::empty_file_error(path, "a PLY header");
  Expected<PlyHeader> header = detail::parse_ply_header(bytes, size, path);
  if (!header) return std::move(header).error();
  const PlyHeader& h = *header;
  Expected<std::size_t> vertex_index = find_vertices(h, path);
  if (!vertex_index) return std::move(vertex_index).error();
  CloudFile file;
  file.info.format = "ply";
  file.info.variant = detail::to_string(h.encoding);
  ProgressSlice progress(callback, begin, 1.0, size);
  detail::ExactXyz exact;
  std::vector<double*> exact_dst;

  if (h.encoding == PlyEncoding::kAscii) {
    AsciiData data(reinterpret_cast<const char*>(bytes), size, h, path);
    for (std::size_t i = 0; i < h.elements.size(); ++i) {
      const PlyElement& e = h.elements[i];
      std::vector<float*> dst;
      if (i == *vertex_index) {
        if (Status s = data.check_capacity(e); !s) return std::move(s).error();
        dst = allocate(e, file.cloud, exact, exact_dst);
      }
      if (Status s = data.walk(e, dst.empty() ? nullptr : dst.data(),
                               dst.empty() ? nullptr : exact_dst.data(), progress);
          !s) {
        return std::move(s).error();
      }
    }
  } else {
    const BinaryData data(bytes, size, h.encoding == PlyEncoding::kBinaryBigEndian, path);
    std::size_t pos = h.data_offset;
    for (std::size_t i = 0; i < h.elements.size(); ++i) {
      const PlyElement& e = h.elements[i];
      Expected<std::size_t> next = pos;
      if (i == *vertex_index) {
        // With lists this bounds the count by the smallest item, which is enough to size memory.
        if (Status s = data.check_fixed(e, pos); !s) return std::move(s).error();
        const std::vector<float*> dst = allocate(e, file.cloud, exact, exact_dst);
        next = data.read(e, pos, dst.data(), exact_dst.data(), progress);
      } else {
        next = data.skip(e, pos, progress);
      }
      if (!next) return std::move(next).error();
      pos = *next;
    }
  }
  detail::apply_local_origin(file.cloud, exact);
  if (!progress.finish()) return detail::cancelled_error(path);
  return file;
}

int sniff_ply(const std::uint8_t* head, std::size_t n) {
  return detail::is_ply_magic(std::string_view(reinterpret_cast<const char*>(head), n)) ? 100 : 0;
}

}  // namespace

Expected<CloudFile> parse_ply(const void* bytes, std::size_t n, const ReadOptions& options,
                              const std::string& path_for_errors) {
  return detail::parse_whole(bytes, n, options, path_for_errors, decode_ply);
}

Expected<CloudFile> read_ply(const std::filesystem::path& path, const ReadOptions& options) {
  return detail::read_whole(path, options, decode_ply);
}

CloudReader make_ply_reader() {
  CloudReader r;
  r.id = "ply";
  r.description = "PLY 1.0 vertices: ascii, binary_little_endian, binary_big_endian";
  r.suffixes = {".ply"};
  r.sniff = sniff_ply;
  r.read = [](const std::filesystem::path& path, const ReadOptions& options) {
    return read_ply(path, options);
  };
  return r;
}

}  // namespace pcanno::formats
