#pragma once
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace pcanno::formats::detail {

/// The binary value types of PCD (TYPE + SIZE) and PLY (type names). Both formats load every value
/// into a float column, so they share one set of decoders.
enum class ScalarType : std::uint8_t {
  kInt8,
  kUint8,
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,
  kFloat64,
};

constexpr std::size_t scalar_size(ScalarType type) {
  switch (type) {
    case ScalarType::kInt8:
    case ScalarType::kUint8:
      return 1;
    case ScalarType::kInt16:
    case ScalarType::kUint16:
      return 2;
    case ScalarType::kInt32:
    case ScalarType::kUint32:
    case ScalarType::kFloat32:
      return 4;
    case ScalarType::kInt64:
    case ScalarType::kUint64:
    case ScalarType::kFloat64:
      return 8;
  }
  return 1;
}

constexpr bool is_floating(ScalarType type) {
  return type == ScalarType::kFloat32 || type == ScalarType::kFloat64;
}

constexpr bool is_signed_integer(ScalarType type) {
  return type == ScalarType::kInt8 || type == ScalarType::kInt16 || type == ScalarType::kInt32 ||
         type == ScalarType::kInt64;
}

/// Converting a double outside the float range is undefined behaviour in C++; IEEE says inf, and so
/// do we, because damaged files must decode without UB.
inline float narrow_to_float(double value) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (value > kMax) return std::numeric_limits<float>::infinity();
  if (value < -kMax) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(value);
}

template <std::size_t N>
struct UnsignedOfSize;
template <>
struct UnsignedOfSize<1> {
  using type = std::uint8_t;
};
template <>
struct UnsignedOfSize<2> {
  using type = std::uint16_t;
};
template <>
struct UnsignedOfSize<4> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOfSize<8> {
  using type = std::uint64_t;
};

inline std::uint8_t byte_swap(std::uint8_t v) { return v; }
inline std::uint16_t byte_swap(std::uint16_t v) { return __builtin_bswap16(v); }
inline std::uint32_t byte_swap(std::uint32_t v) { return __builtin_bswap32(v); }
inline std::uint64_t byte_swap(std::uint64_t v) { return __builtin_bswap64(v); }

/// memcpy, not a cast: the source may be unaligned and must not be type-punned.
template <typename T, bool Swap>
inline T load_scalar(const std::uint8_t* p) {
  using U = typename UnsignedOfSize<sizeof(T)>::type;
  U bits;
  std::memcpy(&bits, p, sizeof(T));
  if constexpr (Swap) bits = byte_swap(bits);
  T value;
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

template <typename T>
inline float to_float(T value) {
  if constexpr (std::is_same_v<T, double>) {
    return narrow_to_float(value);
  } else {
    return static_cast<float>(value);
  }
}

template <typename T, bool Swap>
void decode_strided(const std::uint8_t* src, std::size_t stride, std::size_t n, float* dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = to_float(load_scalar<T, Swap>(src + i * stride));
}

template <bool Swap>
void decode_column_swapped(ScalarType type, const std::uint8_t* src, std::size_t stride,
                           std::size_t n, float* dst) {
  switch (type) {
    case ScalarType::kInt8:
      return decode_strided<std::int8_t, Swap>(src, stride, n, dst);
    case ScalarType::kUint8:
      return decode_strided<std::uint8_t, Swap>(src, stride, n, dst);
    case ScalarType::kInt16:
      return decode_strided<std::int16_t, Swap>(src, stride, n, dst);
    case ScalarType::kUint16:
      return decode_strided<std::uint16_t, Swap>(src, stride, n, dst);
    case ScalarType::kInt32:
      return decode_strided<std::int32_t, Swap>(src, stride, n, dst);
    case ScalarType::kUint32:
      return decode_strided<std::uint32_t, Swap>(src, stride, n, dst);
    case ScalarType::kInt64:
      return decode_strided<std::int64_t, Swap>(src, stride, n, dst);
    case ScalarType::kUint64:
      return decode_strided<std::uint64_t, Swap>(src, stride, n, dst);
    case ScalarType::kFloat32:
      return decode_strided<float, Swap>(src, stride, n, dst);
    case ScalarType::kFloat64:
      return decode_strided<double, Swap>(src, stride, n, dst);
  }
}

/// n values of `type`, `stride` bytes apart from `src`, into dst[0..n). The caller has checked that
/// every byte read lies inside its buffer.
inline void decode_column(ScalarType type, bool swap, const std::uint8_t* src, std::size_t stride,
                          std::size_t n, float* dst) {
  if (type == ScalarType::kFloat32 && !swap && stride == sizeof(float)) {
    if (n > 0) std::memcpy(dst, src, n * sizeof(float));  // SoA float data: the common case
    return;
  }
  if (swap) {
    decode_column_swapped<true>(type, src, stride, n, dst);
  } else {
    decode_column_swapped<false>(type, src, stride, n, dst);
  }
}

/// One value as a double, for the few places that need it exactly (PLY list lengths).
inline double load_as_double(ScalarType type, bool swap, const std::uint8_t* p) {
  switch (type) {
    case ScalarType::kInt8:
      return swap ? load_scalar<std::int8_t, true>(p) : load_scalar<std::int8_t, false>(p);
    case ScalarType::kUint8:
      return swap ? load_scalar<std::uint8_t, true>(p) : load_scalar<std::uint8_t, false>(p);
    case ScalarType::kInt16:
      return swap ? load_scalar<std::int16_t, true>(p) : load_scalar<std::int16_t, false>(p);
    case ScalarType::kUint16:
      return swap ? load_scalar<std::uint16_t, true>(p) : load_scalar<std::uint16_t, false>(p);
    case ScalarType::kInt32:
      return swap ? load_scalar<std::int32_t, true>(p) : load_scalar<std::int32_t, false>(p);
    case ScalarType::kUint32:
      return swap ? load_scalar<std::uint32_t, true>(p) : load_scalar<std::uint32_t, false>(p);
    case ScalarType::kInt64:
      return static_cast<double>(swap ? load_scalar<std::int64_t, true>(p)
                                      : load_scalar<std::int64_t, false>(p));
    case ScalarType::kUint64:
      return static_cast<double>(swap ? load_scalar<std::uint64_t, true>(p)
                                      : load_scalar<std::uint64_t, false>(p));
    case ScalarType::kFloat32:
      return swap ? load_scalar<float, true>(p) : load_scalar<float, false>(p);
    case ScalarType::kFloat64:
      return swap ? load_scalar<double, true>(p) : load_scalar<double, false>(p);
  }
  return 0.0;
}

/// Whole-token unsigned decimal; a leading '+' is accepted.
inline bool parse_uint64(std::string_view token, std::uint64_t& value) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || token.front() == '-' || token.front() == '+') return false;
  const char* last = token.data() + token.size();
  std::uint64_t parsed = 0;
  const std::from_chars_result r = std::from_chars(token.data(), last, parsed);
  if (r.ec != std::errc() || r.ptr != last) return false;
  value = parsed;
  return true;
}

/// Whole-token signed decimal; a leading '+' is accepted.
inline bool parse_int64(std::string_view token, std::int64_t& value) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || token.front() == '+') return false;
  const char* last = token.data() + token.size();
  std::int64_t parsed = 0;
  const std::from_chars_result r = std::from_chars(token.data(), last, parsed);
  if (r.ec != std::errc() || r.ptr != last) return false;
  value = parsed;
  return true;
}

/// Whole-token decimal as a double. Unlike text_scan's parse_double, "nan" and "inf" are accepted:
/// organised PCDs store missing points as nan. Out-of-range magnitudes become inf or 0.
inline bool parse_double_or_nan(std::string_view token, double& value) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || token.front() == '+') return false;
  const char* last = token.data() + token.size();
  double parsed = 0.0;
  const std::from_chars_result r =
      std::from_chars(token.data(), last, parsed, std::chars_format::general);
  if (r.ptr != last) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // from_chars leaves the value alone here; the exponent's sign tells overflow from underflow.
    const std::size_t e = token.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < token.size() && token[e + 1] == '-';
    const bool negative = token.front() == '-';
    parsed = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    if (negative) parsed = -parsed;
  } else if (r.ec != std::errc()) {
    return false;
  }
  value = parsed;
  return true;
}

/// One ASCII value for a column of `type`. Floats parse directly as float (correct rounding, so a
/// value printed with 9 digits comes back bit for bit); integers parse exactly before the one
/// conversion to float; a decimal such as "255.0" in an integer column is accepted, as writers
/// differ.
inline bool parse_ascii_scalar(std::string_view token, ScalarType type, float& value) {
  if (type == ScalarType::kFloat32) {
    std::string_view t = token;
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    if (t.empty() || t.front() == '+') return false;
    const char* last = t.data() + t.size();
    float parsed = 0.0f;
    const std::from_chars_result r =
        std::from_chars(t.data(), last, parsed, std::chars_format::general);
    if (r.ec == std::errc() && r.ptr == last) {
      value = parsed;
      return true;
    }
    if (r.ec != std::errc::result_out_of_range) return false;
  } else if (!is_floating(type)) {
    if (is_signed_integer(type)) {
      std::int64_t parsed = 0;
      if (parse_int64(token, parsed)) {
        value = static_cast<float>(parsed);
        return true;
      }
    } else {
      std::uint64_t parsed = 0;
      if (parse_uint64(token, parsed)) {
        value = static_cast<float>(parsed);
        return true;
      }
    }
  }
  double parsed = 0.0;
  if (!parse_double_or_nan(token, parsed)) return false;
  value = narrow_to_float(parsed);
  return true;
}

}  // namespace pcanno::formats::detail
