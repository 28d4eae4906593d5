#include "pcanno/formats/clouds/pcd.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "clouds/exact_xyz.hpp"
#include "clouds/lzf.hpp"
#include "clouds/pcd_ply_progress.hpp"
#include "clouds/pcd_ply_scalar.hpp"
#include "support/input_file.hpp"
#include "support/text_scan.hpp"

// PCD binary data is little-endian; a big-endian port needs swaps in the binary paths.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "PCD decoding assumes a little-endian host");

namespace pcanno::formats {
namespace {

using detail::ProgressSlice;
using detail::quote_token;
using detail::ScalarType;

constexpr std::size_t kNoOutput = std::numeric_limits<std::size_t>::max();
/// Records decoded per pass over the columns: small enough to stay in L2 between columns.
constexpr std::size_t kChunkBytes = std::size_t{256} << 10;

ScalarType scalar_type_of(const PcdField& f) {
  if (f.type == 'F') return f.size == 8 ? ScalarType::kFloat64 : ScalarType::kFloat32;
  const bool is_signed = f.type == 'I';
  switch (f.size) {
    case 1:
      return is_signed ? ScalarType::kInt8 : ScalarType::kUint8;
    case 2:
      return is_signed ? ScalarType::kInt16 : ScalarType::kUint16;
    case 4:
      return is_signed ? ScalarType::kInt32 : ScalarType::kUint32;
    default:
      return is_signed ? ScalarType::kInt64 : ScalarType::kUint64;
  }
}

/// One value per point: element `k` of a field. Skipped elements are kept so that ASCII tokens and
/// plan entries stay in step.
struct Element {
  ScalarType type = ScalarType::kFloat32;
  std::size_t field = 0;           ///< index into PcdHeader::fields
  std::size_t field_offset = 0;    ///< bytes from the record start to the field
  std::size_t element_offset = 0;  ///< k * SIZE
  std::size_t field_bytes = 0;     ///< SIZE * COUNT: distance between points in the SoA block
  int channels = 1;                ///< 0: skipped padding; 1: a number; 3/4: packed rgb/rgba
  std::size_t outputs[4] = {kNoOutput, kNoOutput, kNoOutput, kNoOutput};  ///< 0-2: x y z; 3+: attr
  float* dst[4] = {nullptr, nullptr, nullptr, nullptr};
  double* exact = nullptr;  ///< float64 x, y or z: the value in double as well (ExactXyz)
};

struct Plan {
  std::vector<Element> elements;
  std::vector<std::string> attribute_names;
};

class PlanBuilder {
 public:
  explicit PlanBuilder(const std::string& path) : path_(path) {}

  Expected<std::size_t> output(std::string name) {
    if (!used_.insert(name).second) {
      return Error{ErrorCode::kMalformed,
                   "FIELDS: column " + quote_token(name) +
                       " would be made twice (COUNT > 1 names "
                       "extra elements <name>_<k>; rgb/rgba give red, green, blue, alpha)",
                   path_};
    }
    if (name == "x") return std::size_t{0};
    if (name == "y") return std::size_t{1};
    if (name == "z") return std::size_t{2};
    plan_.attribute_names.push_back(std::move(name));
    return plan_.attribute_names.size() + 2;
  }

  Plan& plan() { return plan_; }
  bool has(const char* name) const { return used_.count(name) != 0; }

 private:
  const std::string& path_;
  Plan plan_;
  std::set<std::string> used_;
};

Expected<Plan> plan_columns(const PcdHeader& h, const std::string& path) {
  PlanBuilder builder(path);
  std::size_t field_offset = 0;
  for (std::size_t fi = 0; fi < h.fields.size(); ++fi) {
    const PcdField& f = h.fields[fi];
    const bool colour = f.name == "rgb" || f.name == "rgba";
    if (colour && (f.size != 4 || f.count != 1)) {
      return Error{ErrorCode::kUnsupported,
                   "field " + quote_token(f.name) + " with SIZE " + std::to_string(f.size) +
                       " COUNT " + std::to_string(f.count) +
                       ": a packed colour needs SIZE 4 COUNT 1",
                   path};
    }
    for (std::size_t k = 0; k < f.count; ++k) {
      Element e;
      e.type = scalar_type_of(f);
      e.field = fi;
      e.field_offset = field_offset;
      e.element_offset = k * f.size;
      e.field_bytes = f.size * f.count;
      if (f.name == "_") {
        e.channels = 0;
      } else if (colour) {
        e.channels = f.name == "rgba" ? 4 : 3;
        static const char* const kChannels[] = {"red", "green", "blue", "alpha"};
        for (int c = 0; c < e.channels; ++c) {
          Expected<std::size_t> out = builder.output(kChannels[c]);
          if (!out) return std::move(out).error();
          e.outputs[c] = *out;
        }
      } else {
        Expected<std::size_t> out =
            builder.output(k == 0 ? f.name : f.name + "_" + std::to_string(k));
        if (!out) return std::move(out).error();
        e.outputs[0] = *out;
      }
      builder.plan().elements.push_back(e);
    }
    field_offset += f.size * f.count;
  }
  std::string missing;
  for (const char* axis : {"x", "y", "z"}) {
    if (!builder.has(axis)) missing += std::string(missing.empty() ? "" : ", ") + axis;
  }
  if (!missing.empty()) {
    return Error{ErrorCode::kUnsupported,
                 "FIELDS lacks " + missing + ": a point cloud needs x, y and z", path};
  }
  return std::move(builder.plan());
}

/// Sizes the cloud and points every element at its columns (float64 x, y, z also at `exact`).
void allocate(Plan& plan, std::size_t n, PointCloud& cloud, detail::ExactXyz& exact) {
  for (std::string& name : plan.attribute_names) {
    cloud.attributes.push_back(PointAttribute{std::move(name), {}});
  }
  cloud.resize(n);
  for (Element& e : plan.elements) {
    for (int c = 0; c < 4; ++c) {
      const std::size_t o = e.outputs[c];
      if (o == kNoOutput) continue;
      e.dst[c] = o == 0   ? cloud.x.data()
                 : o == 1 ? cloud.y.data()
                 : o == 2 ? cloud.z.data()
                          : cloud.attributes[o - 3].values.data();
    }
    if (e.channels == 1 && e.outputs[0] <= 2) {
      e.exact = exact.prepare(static_cast<int>(e.outputs[0]), e.type, n);
    }
  }
}

void store_colour(const Element& e, std::size_t i, std::uint32_t packed) {
  // PCL packs 0xAARRGGBB (alpha only meaningful for rgba).
  e.dst[0][i] = static_cast<float>((packed >> 16) & 0xffu);
  e.dst[1][i] = static_cast<float>((packed >> 8) & 0xffu);
  e.dst[2][i] = static_cast<float>(packed & 0xffu);
  if (e.channels == 4) e.dst[3][i] = static_cast<float>(packed >> 24);
}

/// Points [begin, end) of binary data; `soa` selects the compressed layout (all values of a field
/// together) over packed records. `n` is the point count, `stride` the record size.
void decode_binary_range(const Plan& plan, const std::uint8_t* data, bool soa, std::size_t n,
                         std::size_t stride, std::size_t begin, std::size_t end) {
  for (const Element& e : plan.elements) {
    if (e.channels == 0) continue;
    const std::size_t step = soa ? e.field_bytes : stride;
    const std::uint8_t* src = soa ? data + n * e.field_offset + e.element_offset + begin * step
                                  : data + begin * stride + e.field_offset + e.element_offset;
    if (e.channels == 1) {
      detail::decode_column(e.type, false, src, step, end - begin, e.dst[0] + begin);
      if (e.exact != nullptr) {
        for (std::size_t i = begin; i < end; ++i, src += step) {
          e.exact[i] = detail::load_as_double(e.type, false, src);
        }
      }
      continue;
    }
    for (std::size_t i = begin; i < end; ++i, src += step) {
      store_colour(e, i, detail::load_scalar<std::uint32_t, false>(src));
    }
  }
}

Status decode_binary(const Plan& plan, const std::uint8_t* data, bool soa, std::size_t n,
                     std::size_t stride, ProgressSlice& progress, const std::string& path) {
  const std::size_t chunk =
      std::max<std::size_t>(1, kChunkBytes / std::max<std::size_t>(stride, 1));
  for (std::size_t begin = 0; begin < n; begin += chunk) {
    const std::size_t end = std::min(n, begin + chunk);
    decode_binary_range(plan, data, soa, n, stride, begin, end);
    if (!progress.update(end * stride)) return detail::cancelled_error(path);
  }
  return {};
}

/// PCL prints an F rgb as its uint32 bit pattern in ASCII (a float would lose the bits), so an
/// integer token is the packed value; anything else is the float whose bits hold the colour.
bool parse_packed_colour(std::string_view token, ScalarType type, std::uint32_t& packed) {
  std::uint64_t u = 0;
  if (detail::parse_uint64(token, u)) {
    packed = static_cast<std::uint32_t>(u);
    return u <= std::numeric_limits<std::uint32_t>::max();
  }
  std::int64_t s = 0;
  if (detail::parse_int64(token, s)) {
    packed = static_cast<std::uint32_t>(s);
    return s >= std::numeric_limits<std::int32_t>::min();
  }
  float f = 0.0f;
  if (type != ScalarType::kFloat32 || !detail::parse_ascii_scalar(token, type, f)) return false;
  std::memcpy(&packed, &f, sizeof(f));
  return true;
}

Error truncated(std::string message, const std::string& path, std::size_t offset) {
  Error e{ErrorCode::kTruncated, std::move(message), path};
  e.offset = static_cast<std::int64_t>(offset);
  return e;
}

Status decode_ascii(const PcdHeader& h, const Plan& plan, const char* text, std::size_t size,
                    ProgressSlice& progress, const std::string& path) {
  const std::size_t n = h.points;
  const std::size_t values = plan.elements.size();
  std::int64_t line_number =
      static_cast<std::int64_t>(std::count(text, text + h.data_offset, '\n'));
  std::vector<std::string_view> tokens;
  std::size_t pos = h.data_offset;
  std::size_t i = 0;
  while (i < n && pos < size) {
    const void* nl = std::memchr(text + pos, '\n', size - pos);
    const std::size_t eol =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text) : size;
    const std::string_view line = detail::trim(std::string_view(text + pos, eol - pos));
    pos = nl ? eol + 1 : size;
    ++line_number;
    if (line.empty()) continue;  // PCL skips blank lines too
    detail::split_tokens(line, tokens);
    if (tokens.size() != values) {
      Error e{ErrorCode::kMalformed,
              "point " + std::to_string(i) + ": expected " + std::to_string(values) +
                  " values (one per field element), found " + std::to_string(tokens.size()),
              path};
      e.line = line_number;
      return e;
    }
    for (std::size_t j = 0; j < values; ++j) {
      const Element& e = plan.elements[j];
      bool ok = true;
      if (e.channels == 1) {
        ok = detail::parse_ascii_scalar(tokens[j], e.type, e.dst[0][i]);
        if (ok && e.exact != nullptr) detail::parse_double_or_nan(tokens[j], e.exact[i]);
      } else if (e.channels > 1) {
        std::uint32_t packed = 0;
        ok = parse_packed_colour(tokens[j], e.type, packed);
        if (ok) store_colour(e, i, packed);
      }
      if (!ok) {
        Error err{ErrorCode::kMalformed,
                  "value " + std::to_string(j + 1) + " (field " +
                      quote_token(h.fields[e.field].name) + "): expected a number, found " +
                      quote_token(tokens[j]),
                  path};
        err.line = line_number;
        return err;
      }
    }
    ++i;
    if (!progress.update(pos - h.data_offset)) return detail::cancelled_error(path);
  }
  if (i < n) {
    Error e = truncated("ascii data ends after " + std::to_string(i) + " of the " +
                            std::to_string(n) + " points the header promises",
                        path, size);
    e.line = line_number;
    return e;
  }
  return {};
}

/// "N points x S B = T bytes", saturating instead of overflowing for absurd headers.
std::string data_size_text(const PcdHeader& h, std::size_t bytes_per_point) {
  std::uint64_t total = 0;
  const bool overflow = __builtin_mul_overflow(h.points, std::uint64_t{bytes_per_point}, &total);
  return std::to_string(h.points) + " points x " + std::to_string(bytes_per_point) +
         " B = " + (overflow ? std::string("more than 2^64") : std::to_string(total)) + " bytes";
}

/// Checked before allocating, so that a lying header costs nothing: every value needs at least
/// one character and one separator.
Status check_ascii_capacity(const PcdHeader& h, std::size_t values, std::size_t size,
                            const std::string& path) {
  const std::size_t available = size - h.data_offset;
  const std::uint64_t most = (std::uint64_t{available} + 1) / (2 * std::uint64_t{values});
  if (h.points <= most) return {};
  std::uint64_t need = 0;
  const bool overflow = __builtin_mul_overflow(h.points, 2 * std::uint64_t{values}, &need);
  return truncated(
      "ascii data ends at byte " + std::to_string(size) + ": the header promises " +
          std::to_string(h.points) + " points of " + std::to_string(values) + " values, at least " +
          (overflow ? std::string("2^64") : std::to_string(need - 1)) + " bytes from byte " +
          std::to_string(h.data_offset) + ", only " + std::to_string(available) + " present",
      path, size);
}

/// The binary_compressed block: its two sizes checked against the header and the file, then
/// inflated into the raw structure-of-arrays bytes.
Expected<std::unique_ptr<std::uint8_t[]>> inflate(const PcdHeader& h, const std::uint8_t* bytes,
                                                  std::size_t size,
                                                  const std::function<bool(double)>& callback,
                                                  double begin, double end,
                                                  const std::string& path) {
  const std::size_t at = h.data_offset;
  if (size - at < 8) {
    return truncated("binary_compressed data ends at byte " + std::to_string(size) +
                         " before its 8-byte size prefix (from byte " + std::to_string(at) + ")",
                     path, size);
  }
  const auto compressed = detail::load_scalar<std::uint32_t, false>(bytes + at);
  const auto raw = detail::load_scalar<std::uint32_t, false>(bytes + at + 4);
  std::uint64_t expected = 0;
  const bool overflow =
      __builtin_mul_overflow(h.points, std::uint64_t{h.point_stride()}, &expected);
  if (overflow || raw != expected) {
    Error e{ErrorCode::kMalformed,
            "LZF raw size " + std::to_string(raw) + " does not match the header's " +
                data_size_text(h, h.point_stride()),
            path};
    e.offset = static_cast<std::int64_t>(at + 4);
    return e;
  }
  if (compressed > size - at - 8) {
    return truncated("LZF block ends at byte " + std::to_string(size) + ": " +
                         std::to_string(compressed) + " bytes from byte " + std::to_string(at + 8) +
                         " expected, only " + std::to_string(size - at - 8) + " present",
                     path, size);
  }
  if (raw / detail::kLzfMaxExpansion > compressed) {
    Error e{ErrorCode::kMalformed,
            "LZF block of " + std::to_string(compressed) + " bytes cannot expand to " +
                std::to_string(raw) + " raw bytes",
            path};
    e.offset = static_cast<std::int64_t>(at);
    return e;
  }
  // Not zero-filled: the decoder writes every byte or fails.
  std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[std::max<std::size_t>(raw, 1)]);
  detail::LzfDecoder lzf(bytes + at + 8, compressed, out.get(), raw);
  ProgressSlice progress(callback, begin, end, raw);
  while (lzf.produced() < raw) {
    const std::size_t goal = std::min<std::size_t>(raw, lzf.produced() + ProgressSlice::kStepBytes);
    if (!lzf.decode_until(goal) || lzf.produced() < goal) break;  // finished() says why
    if (!progress.update(lzf.produced())) return detail::cancelled_error(path);
  }
  if (!lzf.finished()) {
    Error e{ErrorCode::kMalformed, lzf.problem(), path};
    e.offset = static_cast<std::int64_t>(at + 8 + lzf.failed_at());
    return e;
  }
  return out;
}

CloudFileInfo info_for(const PcdHeader& h) {
  CloudFileInfo info;
  info.format = "pcd";
  info.variant = to_string(h.data);
  std::uint64_t cells = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (h.height > 1 && !__builtin_mul_overflow(h.width, h.height, &cells) && cells == h.points &&
      h.width <= kMax && h.height <= kMax) {
    info.width = static_cast<std::uint32_t>(h.width);
    info.height = static_cast<std::uint32_t>(h.height);
  }
  return info;
}

/// Decodes everything after parsing; progress runs from `begin` to 1.
Expected<CloudFile> decode_pcd(const std::uint8_t* bytes, std::size_t size,
                               const std::function<bool(double)>& callback, double begin,
                               const std::string& path) {
  if (size == 0) return detail::empty_file_error(path, "a PCD header");
  Expected<PcdHeader> header = parse_pcd_header(bytes, size, path);
  if (!header) return std::move(header).error();
  const PcdHeader& h = *header;
  Expected<Plan> plan = plan_columns(h, path);
  if (!plan) return std::move(plan).error();
  CloudFile file{PointCloud{}, info_for(h)};
  detail::ExactXyz exact;  // float64 coordinates: kept exact through a local origin
  const std::size_t stride = h.point_stride();
  const std::size_t available = size - h.data_offset;

  if (h.data == PcdDataKind::kAscii) {
    if (Status s = check_ascii_capacity(h, plan->elements.size(), size, path); !s) {
      return std::move(s).error();
    }
    ProgressSlice progress(callback, begin, 1.0, available);
    allocate(*plan, static_cast<std::size_t>(h.points), file.cloud, exact);
    Status s = decode_ascii(h, *plan, reinterpret_cast<const char*>(bytes), size, progress, path);
    if (!s) return std::move(s).error();
    if (!progress.finish()) return detail::cancelled_error(path);
    detail::apply_local_origin(file.cloud, exact);
    return file;
  }

  if (h.data == PcdDataKind::kBinary) {
    std::uint64_t need = 0;
    if (__builtin_mul_overflow(h.points, std::uint64_t{stride}, &need) || need > available) {
      return truncated("binary data ends at byte " + std::to_string(size) +
                           ": the header promises " + data_size_text(h, stride) + " from byte " +
                           std::to_string(h.data_offset) + ", only " + std::to_string(available) +
                           " present",
                       path, size);
    }
    const auto n = static_cast<std::size_t>(h.points);
    ProgressSlice progress(callback, begin, 1.0, n * stride);
    allocate(*plan, n, file.cloud, exact);
    Status s = decode_binary(*plan, bytes + h.data_offset, false, n, stride, progress, path);
    if (!s) return std::move(s).error();
    if (!progress.finish()) return detail::cancelled_error(path);
    detail::apply_local_origin(file.cloud, exact);
    return file;
  }

  // binary_compressed: inflating takes the first half of the remaining progress, decoding the rest.
  const double middle = begin + (1.0 - begin) / 2;
  Expected<std::unique_ptr<std::uint8_t[]>> raw =
      inflate(h, bytes, size, callback, begin, middle, path);
  if (!raw) return std::move(raw).error();
  const auto n = static_cast<std::size_t>(h.points);
  allocate(*plan, n, file.cloud, exact);
  ProgressSlice decoding(callback, middle, 1.0, n * stride);
  if (Status s = decode_binary(*plan, raw->get(), true, n, stride, decoding, path); !s) {
    return std::move(s).error();
  }
  if (!decoding.finish()) return detail::cancelled_error(path);
  detail::apply_local_origin(file.cloud, exact);
  return file;
}

int sniff_pcd(const std::uint8_t* head, std::size_t n) {
  const std::string_view text(reinterpret_cast<const char*>(head), n);
  if (text.substr(0, 6) == "# .PCD") return 100;
  detail::LineScanner lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty() || line.front() == '#') continue;
    const std::string_view keyword = line.substr(0, line.find_first_of(" \t"));
    return keyword == "VERSION" || keyword == "FIELDS" ? 100 : 0;
  }
  return 0;
}

}  // namespace

Expected<CloudFile> parse_pcd(const void* bytes, std::size_t n, const ReadOptions& options,
                              const std::string& path_for_errors) {
  return detail::parse_whole(bytes, n, options, path_for_errors, decode_pcd);
}

Expected<CloudFile> read_pcd(const std::filesystem::path& path, const ReadOptions& options) {
  return detail::read_whole(path, options, decode_pcd);
}

CloudReader make_pcd_reader() {
  CloudReader r;
  r.id = "pcd";
  r.description = "PCD v0.5-0.7 (PCL): ascii, binary, binary_compressed";
  r.suffixes = {".pcd"};
  r.sniff = sniff_pcd;
  r.read = [](const std::filesystem::path& path, const ReadOptions& options) {
    return read_pcd(path, options);
  };
  return r;
}

}  // namespace pcanno::formats
