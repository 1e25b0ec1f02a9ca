#include "fdsl/io/cloud_read.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

/// A scalar type of a PLY property or PCD field.
enum class Scalar { I8, U8, I16, U16, I32, U32, I64, U64, F32, F64 };

std::size_t scalar_size(Scalar s) {
  switch (s) {
    case Scalar::I8:
    case Scalar::U8:
      return 1;
    case Scalar::I16:
    case Scalar::U16:
      return 2;
    case Scalar::I32:
    case Scalar::U32:
    case Scalar::F32:
      return 4;
    default:
      return 8;
  }
}

/// The value at p (size bytes, little-endian unless `big`) as a double.
double load(const std::uint8_t* p, Scalar s, bool big) {
  std::uint8_t b[8];
  const std::size_t n = scalar_size(s);
  std::memcpy(b, p, n);
  if (big != (std::endian::native == std::endian::big))
    for (std::size_t i = 0; i < n / 2; ++i) std::swap(b[i], b[n - 1 - i]);
  switch (s) {
    case Scalar::I8:
      return static_cast<std::int8_t>(b[0]);
    case Scalar::U8:
      return b[0];
    case Scalar::I16: {
      std::int16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case Scalar::U16: {
      std::uint16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case Scalar::I32: {
      std::int32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case Scalar::U32: {
      std::uint32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case Scalar::I64: {
      std::int64_t v;
      std::memcpy(&v, b, 8);
      return static_cast<double>(v);
    }
    case Scalar::U64: {
      std::uint64_t v;
      std::memcpy(&v, b, 8);
      return static_cast<double>(v);
    }
    case Scalar::F32: {
      float v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case Scalar::F64: {
      double v;
      std::memcpy(&v, b, 8);
      return v;
    }
  }
  return 0;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::uint64_t parse_count(std::string_view s, const std::string& what, const char* field) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw_bad_input(what + ": " + field + " '" + std::string(s) + "' is not a count");
  return v;
}

double parse_number(std::string_view s, const std::string& what) {
  double v = 0;
  const char* b = s.data();
  if (!s.empty() && s[0] == '+') ++b;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  if (ec != std::errc() || p != s.data() + s.size())
    throw_bad_input(what + ": '" + std::string(s) + "' is not a number");
  return v;
}

/// Appends the point unless a coordinate is not finite (NaN points of organized clouds, as PCL's
/// removeNaNFromPointCloud drops them).
void push_point(PointCloud& c, double x, double y, double z) {
  const float f[3] = {static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)};
  if (!std::isfinite(f[0]) || !std::isfinite(f[1]) || !std::isfinite(f[2])) return;
  c.xyz.insert(c.xyz.end(), f, f + 3);
}

/// The header lines up to and including the line whose first word is `last`; `body` is the offset
/// of the byte after that line.
std::vector<std::string_view> header_lines(const std::uint8_t* data, std::size_t size, std::string_view last,
                                           std::size_t& body, const std::string& what, const char* format) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  std::size_t i = 0;
  while (i < all.size()) {
    std::size_t j = all.find('\n', i);
    if (j == std::string_view::npos) break;
    const std::string_view line = all.substr(i, j - i);
    lines.push_back(line);
    i = j + 1;
    const auto words = split_ws(line);
    if (!words.empty() && words[0] == last) {
      body = i;
      return lines;
    }
    if (lines.size() > 100000) break;
  }
  throw_bad_input(what + ": not a " + format + " file (no '" + std::string(last) + "' header line)");
}

/// The lines of an ASCII body, empty lines skipped.
class LineReader {
 public:
  LineReader(const std::uint8_t* data, std::size_t size, std::size_t start)
      : all_(reinterpret_cast<const char*>(data), size), i_(start) {}
  bool next(std::string_view& line) {
    while (i_ < all_.size()) {
      std::size_t j = all_.find('\n', i_);
      if (j == std::string_view::npos) j = all_.size();
      line = all_.substr(i_, j - i_);
      i_ = j + 1;
      if (!split_ws(line).empty()) return true;
    }
    return false;
  }
  std::size_t left() const { return i_ < all_.size() ? all_.size() - i_ : 0; }

 private:
  std::string_view all_;
  std::size_t i_;
};

// ---- PLY ----------------------------------------------------------------------------------------

bool ply_scalar(std::string_view t, Scalar& s) {
  static const std::pair<const char*, Scalar> table[] = {
      {"char", Scalar::I8},   {"int8", Scalar::I8},     {"uchar", Scalar::U8},   {"uint8", Scalar::U8},
      {"short", Scalar::I16}, {"int16", Scalar::I16},   {"ushort", Scalar::U16}, {"uint16", Scalar::U16},
      {"int", Scalar::I32},   {"int32", Scalar::I32},   {"uint", Scalar::U32},   {"uint32", Scalar::U32},
      {"float", Scalar::F32}, {"float32", Scalar::F32}, {"double", Scalar::F64}, {"float64", Scalar::F64},
  };
  for (const auto& [name, v] : table)
    if (t == name) return s = v, true;
  return false;
}

struct PlyProperty {
  std::string name;
  Scalar type = Scalar::F32;
  bool list = false;
  Scalar count_type = Scalar::U8;
};

struct PlyElement {
  std::string name;
  std::uint64_t count = 0;
  std::vector<PlyProperty> props;
};

}  // namespace

PointCloud decode_ply(const std::uint8_t* data, std::size_t size, const std::string& what) {
  if (size < 4 || std::memcmp(data, "ply", 3) != 0 || (data[3] != '\n' && data[3] != '\r'))
    throw_bad_input(what + ": not a PLY file (it does not start with 'ply')");
  std::size_t body = 0;
  const auto lines = header_lines(data, size, "end_header", body, what, "PLY");
  enum { Ascii, Little, Big } format = Ascii;
  bool have_format = false;
  std::vector<PlyElement> elements;
  for (std::size_t li = 1; li < lines.size(); ++li) {
    const auto w = split_ws(lines[li]);
    const std::string where = what + ": header line " + std::to_string(li + 1);
    if (w.empty() || w[0] == "comment" || w[0] == "obj_info" || w[0] == "end_header") continue;
    if (w[0] == "format") {
      if (w.size() < 2) throw_bad_input(where + ": format without a name");
      if (w[1] == "ascii")
        format = Ascii;
      else if (w[1] == "binary_little_endian")
        format = Little;
      else if (w[1] == "binary_big_endian")
        format = Big;
      else
        throw_bad_input(where + ": unknown format '" + std::string(w[1]) + "'");
      have_format = true;
    } else if (w[0] == "element") {
      if (w.size() != 3) throw_bad_input(where + ": 'element NAME COUNT' expected");
      elements.push_back({std::string(w[1]), parse_count(w[2], where, "element count"), {}});
    } else if (w[0] == "property") {
      if (elements.empty()) throw_bad_input(where + ": property before any element");
      PlyProperty p;
      if (w.size() == 5 && w[1] == "list") {
        p.list = true;
        if (!ply_scalar(w[2], p.count_type) || !ply_scalar(w[3], p.type))
          throw_bad_input(where + ": unknown list type");
        p.name = std::string(w[4]);
      } else if (w.size() == 3) {
        if (!ply_scalar(w[1], p.type)) throw_bad_input(where + ": unknown property type '" + std::string(w[1]) + "'");
        p.name = std::string(w[2]);
      } else {
        throw_bad_input(where + ": 'property TYPE NAME' expected");
      }
      elements.back().props.push_back(p);
    } else {
      throw_bad_input(where + ": unknown header keyword '" + std::string(w[0]) + "'");
    }
  }
  if (!have_format) throw_bad_input(what + ": PLY header has no format line");

  PointCloud c;
  const bool big = format == Big;
  std::size_t pos = body;
  LineReader lines_in(data, size, body);
  for (const PlyElement& e : elements) {
    const bool vertex = e.name == "vertex";
    int axis[3] = {-1, -1, -1};
    std::size_t stride = 0;
    bool has_list = false;
    std::vector<std::size_t> offset(e.props.size());
    for (std::size_t k = 0; k < e.props.size(); ++k) {
      const PlyProperty& p = e.props[k];
      has_list = has_list || p.list;
      offset[k] = stride;
      stride += scalar_size(p.type);
      if (!p.list)
        for (int a = 0; a < 3; ++a)
          if (p.name == std::string(1, char('x' + a))) axis[a] = static_cast<int>(k);
    }
    if (vertex && (axis[0] < 0 || axis[1] < 0 || axis[2] < 0))
      throw_bad_input(what + ": the vertex element has no x, y and z properties");
    if (format == Ascii) {
      if (e.count > lines_in.left()) throw_bad_input(what + ": " + e.name + " count exceeds the data");
      if (vertex) c.xyz.reserve(static_cast<std::size_t>(e.count) * 3);
      for (std::uint64_t i = 0; i < e.count; ++i) {
        std::string_view line;
        if (!lines_in.next(line)) throw_bad_input(what + ": data cut short in element " + e.name);
        if (!vertex) continue;
        const auto w = split_ws(line);
        if (has_list) throw_bad_input(what + ": list properties in the vertex element are not read");
        if (w.size() < e.props.size())
          throw_bad_input(what + ": vertex " + std::to_string(i) + " has " + std::to_string(w.size()) +
                          " values, not " + std::to_string(e.props.size()));
        push_point(c, parse_number(w[axis[0]], what), parse_number(w[axis[1]], what), parse_number(w[axis[2]], what));
      }
    } else {
      if (has_list) {
        if (vertex) throw_bad_input(what + ": list properties in the vertex element are not read");
        // A list element (faces) can only be walked record by record.
        for (std::uint64_t i = 0; i < e.count; ++i)
          for (const PlyProperty& p : e.props) {
            std::size_t n = 1;
            if (p.list) {
              if (pos + scalar_size(p.count_type) > size) throw_bad_input(what + ": data cut short in " + e.name);
              const double v = load(data + pos, p.count_type, big);
              pos += scalar_size(p.count_type);
              if (!(v >= 0) || v > 1e9) throw_bad_input(what + ": bad list length in " + e.name);
              n = static_cast<std::size_t>(v);
            }
            if (n * scalar_size(p.type) > size - pos) throw_bad_input(what + ": data cut short in " + e.name);
            pos += n * scalar_size(p.type);
          }
        continue;
      }
      if (stride == 0 && e.count > 0) throw_bad_input(what + ": element " + e.name + " has no properties");
      if (stride > 0 && e.count > (size - pos) / stride)
        throw_bad_input(what + ": " + e.name + " count " + std::to_string(e.count) + " exceeds the data");
      if (vertex) {
        c.xyz.reserve(static_cast<std::size_t>(e.count) * 3);
        for (std::uint64_t i = 0; i < e.count; ++i) {
          const std::uint8_t* r = data + pos + i * stride;
          push_point(c, load(r + offset[axis[0]], e.props[axis[0]].type, big),
                     load(r + offset[axis[1]], e.props[axis[1]].type, big),
                     load(r + offset[axis[2]], e.props[axis[2]].type, big));
        }
      }
      pos += static_cast<std::size_t>(e.count) * stride;
    }
    if (vertex) return c;
  }
  throw_bad_input(what + ": the PLY file has no vertex element");
}

// ---- PCD ----------------------------------------------------------------------------------------

namespace {

/// LZF decompression (liblzf's format, which PCL's binary_compressed uses).
void lzf_decompress(const std::uint8_t* in, std::size_t in_size, std::uint8_t* out, std::size_t out_size,
                    const std::string& what) {
  std::size_t ip = 0, op = 0;
  while (ip < in_size) {
    std::size_t ctrl = in[ip++];
    if (ctrl < 32) {
      const std::size_t n = ctrl + 1;
      if (ip + n > in_size || op + n > out_size) throw_bad_input(what + ": damaged compressed data");
      std::memcpy(out + op, in + ip, n);
      ip += n;
      op += n;
    } else {
      std::size_t len = ctrl >> 5;
      if (len == 7) {
        if (ip >= in_size) throw_bad_input(what + ": damaged compressed data");
        len += in[ip++];
      }
      if (ip >= in_size) throw_bad_input(what + ": damaged compressed data");
      const std::size_t back = ((ctrl & 0x1f) << 8) + in[ip++] + 1;
      len += 2;
      if (back > op || op + len > out_size) throw_bad_input(what + ": damaged compressed data");
      for (std::size_t k = 0; k < len; ++k, ++op) out[op] = out[op - back];
    }
  }
  if (op != out_size)
    throw_bad_input(what + ": compressed data holds " + std::to_string(op) + " bytes, not " + std::to_string(out_size));
}

}  // namespace

PointCloud decode_pcd(const std::uint8_t* data, std::size_t size, const std::string& what) {
  std::size_t body = 0;
  const auto lines = header_lines(data, size, "DATA", body, what, "PCD");
  std::vector<std::string> fields;
  std::vector<std::size_t> sizes, counts;
  std::vector<char> types;
  std::uint64_t width = 0, height = 1, points = 0;
  bool have_points = false;
  std::string mode;
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const auto w = split_ws(lines[li]);
    const std::string where = what + ": header line " + std::to_string(li + 1);
    if (w.empty() || w[0][0] == '#') continue;
    const std::string key(w[0]);
    if (key == "FIELDS" || key == "COLUMNS") {
      fields.clear();
      for (std::size_t k = 1; k < w.size(); ++k) fields.emplace_back(w[k]);
    } else if (key == "SIZE") {
      sizes.clear();
      for (std::size_t k = 1; k < w.size(); ++k) {
        const auto s = parse_count(w[k], where, "SIZE");
        if (s != 1 && s != 2 && s != 4 && s != 8)
          throw_bad_input(where + ": SIZE " + std::to_string(s) + " is not 1, 2, 4 or 8");
        sizes.push_back(static_cast<std::size_t>(s));
      }
    } else if (key == "TYPE") {
      types.clear();
      for (std::size_t k = 1; k < w.size(); ++k) {
        if (w[k].size() != 1 || (w[k][0] != 'F' && w[k][0] != 'I' && w[k][0] != 'U'))
          throw_bad_input(where + ": TYPE '" + std::string(w[k]) + "' is not F, I or U");
        types.push_back(w[k][0]);
      }
    } else if (key == "COUNT") {
      counts.clear();
      for (std::size_t k = 1; k < w.size(); ++k) {
        const auto n = parse_count(w[k], where, "COUNT");
        if (n == 0 || n > 1u << 20) throw_bad_input(where + ": COUNT " + std::to_string(n) + " is out of range");
        counts.push_back(static_cast<std::size_t>(n));
      }
    } else if (key == "WIDTH" && w.size() == 2) {
      width = parse_count(w[1], where, "WIDTH");
    } else if (key == "HEIGHT" && w.size() == 2) {
      height = parse_count(w[1], where, "HEIGHT");
    } else if (key == "POINTS" && w.size() == 2) {
      points = parse_count(w[1], where, "POINTS");
      have_points = true;
    } else if (key == "DATA" && w.size() == 2) {
      mode = std::string(w[1]);
    }
  }
  if (!have_points) {
    if (height != 0 && width > UINT64_MAX / height) throw_bad_input(what + ": WIDTH x HEIGHT overflows");
    points = width * height;
  }
  if (counts.empty()) counts.assign(fields.size(), 1);
  if (fields.empty() || sizes.size() != fields.size() || types.size() != fields.size() ||
      counts.size() != fields.size())
    throw_bad_input(what + ": FIELDS, SIZE, TYPE and COUNT must name the same number of fields");
  std::vector<Scalar> scalar(fields.size());
  std::size_t stride = 0;
  std::vector<std::size_t> offset(fields.size()), column(fields.size());
  int axis[3] = {-1, -1, -1};
  std::size_t values = 0;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const std::size_t s = sizes[k];
    if (types[k] == 'F') {
      if (s != 4 && s != 8) throw_bad_input(what + ": a float field of " + std::to_string(s) + " bytes");
      scalar[k] = s == 4 ? Scalar::F32 : Scalar::F64;
    } else {
      static const Scalar is[] = {Scalar::I8, Scalar::I16, Scalar::I8, Scalar::I32,
                                  Scalar::I8, Scalar::I8,  Scalar::I8, Scalar::I64};
      static const Scalar us[] = {Scalar::U8, Scalar::U16, Scalar::U8, Scalar::U32,
                                  Scalar::U8, Scalar::U8,  Scalar::U8, Scalar::U64};
      scalar[k] = types[k] == 'I' ? is[s - 1] : us[s - 1];
    }
    offset[k] = stride;
    column[k] = values;
    stride += s * counts[k];
    values += counts[k];
    for (int a = 0; a < 3; ++a)
      if (fields[k] == std::string(1, char('x' + a)) && counts[k] == 1) axis[a] = static_cast<int>(k);
  }
  if (axis[0] < 0 || axis[1] < 0 || axis[2] < 0) throw_bad_input(what + ": the PCD file has no x, y and z fields");

  PointCloud c;
  const std::size_t left = size - body;
  if (mode == "ascii") {
    LineReader in(data, size, body);
    if (points > left) throw_bad_input(what + ": POINTS " + std::to_string(points) + " exceeds the data");
    c.xyz.reserve(static_cast<std::size_t>(points) * 3);
    for (std::uint64_t i = 0; i < points; ++i) {
      std::string_view line;
      if (!in.next(line)) throw_bad_input(what + ": data cut short at point " + std::to_string(i));
      const auto w = split_ws(line);
      if (w.size() < values)
        throw_bad_input(what + ": point " + std::to_string(i) + " has " + std::to_string(w.size()) + " values, not " +
                        std::to_string(values));
      push_point(c, parse_number(w[column[axis[0]]], what), parse_number(w[column[axis[1]]], what),
                 parse_number(w[column[axis[2]]], what));
    }
  } else if (mode == "binary") {
    if (points > left / stride) throw_bad_input(what + ": POINTS " + std::to_string(points) + " exceeds the data");
    c.xyz.reserve(static_cast<std::size_t>(points) * 3);
    for (std::uint64_t i = 0; i < points; ++i) {
      const std::uint8_t* r = data + body + i * stride;
      push_point(c, load(r + offset[axis[0]], scalar[axis[0]], false),
                 load(r + offset[axis[1]], scalar[axis[1]], false), load(r + offset[axis[2]], scalar[axis[2]], false));
    }
  } else if (mode == "binary_compressed") {
    if (left < 8) throw_bad_input(what + ": compressed data cut short");
    std::uint32_t packed = 0, unpacked = 0;
    std::memcpy(&packed, data + body, 4);
    std::memcpy(&unpacked, data + body + 4, 4);
    if (packed > left - 8) throw_bad_input(what + ": compressed data cut short");
    if (points > UINT32_MAX / stride || unpacked != points * stride)
      throw_bad_input(what + ": compressed data holds " + std::to_string(unpacked) + " bytes, not POINTS x " +
                      std::to_string(stride));
    // LZF expands at most 264 bytes per 3 input bytes: refuse a size no stream this long can reach.
    if (unpacked / 88 > packed + 1) throw_bad_input(what + ": compressed data too short for its size");
    std::vector<std::uint8_t> raw(unpacked);
    if (unpacked) lzf_decompress(data + body + 8, packed, raw.data(), raw.size(), what);
    // Column layout: each field's values for all points, field after field.
    std::size_t col[3];
    for (int a = 0; a < 3; ++a) col[a] = static_cast<std::size_t>(points) * offset[axis[a]];
    c.xyz.reserve(static_cast<std::size_t>(points) * 3);
    for (std::uint64_t i = 0; i < points; ++i) {
      double v[3];
      for (int a = 0; a < 3; ++a) {
        const std::size_t s = sizes[axis[a]];
        v[a] = load(raw.data() + col[a] + i * s, scalar[axis[a]], false);
      }
      push_point(c, v[0], v[1], v[2]);
    }
  } else {
    throw_bad_input(what + ": DATA '" + mode + "' is not ascii, binary or binary_compressed");
  }
  return c;
}

// ---- NPY ----------------------------------------------------------------------------------------

PointCloud decode_npy_cloud(const std::uint8_t* b, std::size_t size, const std::string& what) {
  if (size < 10 || std::memcmp(b, "\x93NUMPY", 6) != 0) throw_bad_input(what + ": not an NPY file");
  const int major = b[6];
  std::size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = b[8] | (std::size_t(b[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) throw_bad_input(what + ": NPY header cut short");
    header_len = b[8] | (std::size_t(b[9]) << 8) | (std::size_t(b[10]) << 16) | (std::size_t(b[11]) << 24);
    start = 12;
  } else {
    throw_bad_input(what + ": NPY version " + std::to_string(major) + " is not 1, 2 or 3");
  }
  if (header_len > size - start) throw_bad_input(what + ": NPY header cut short");
  const std::string h(reinterpret_cast<const char*>(b + start), header_len);
  if (h.find("'descr': '<f4'") == std::string::npos) throw_bad_input(what + ": not a float32 array (" + h + ")");
  if (h.find("'fortran_order': True") != std::string::npos) throw_bad_input(what + ": Fortran order is not read");
  const auto sp = h.find("'shape': (");
  if (sp == std::string::npos) throw_bad_input(what + ": NPY header has no shape");
  std::vector<std::uint64_t> shape;
  const char* p = h.data() + sp + 10;
  const char* end = h.data() + h.size();
  while (p < end && *p != ')') {
    while (p < end && (*p == ' ' || *p == ',')) ++p;
    if (p < end && *p == ')') break;
    std::uint64_t v = 0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) throw_bad_input(what + ": bad NPY shape");
    shape.push_back(v);
    p = q;
  }
  if (shape.size() != 2 || shape[1] < 3 || shape[1] > 64)
    throw_bad_input(what + ": shape is not (N, 3) or (N, k) with 3 <= k <= 64");
  const std::uint64_t n = shape[0], k = shape[1];
  const std::size_t data = start + header_len;
  if (n > (size - data) / (4 * k)) throw_bad_input(what + ": data cut short");
  PointCloud c;
  c.xyz.reserve(n * 3);
  for (std::uint64_t i = 0; i < n; ++i) {
    float f[3];
    std::memcpy(f, b + data + 4 * (i * k), 12);
    push_point(c, f[0], f[1], f[2]);
  }
  return c;
}

PointCloud decode_cloud(const std::uint8_t* data, std::size_t size, const std::string& extension,
                        const std::string& what) {
  if (extension == "ply") return decode_ply(data, size, what);
  if (extension == "pcd") return decode_pcd(data, size, what);
  if (extension == "npy") return decode_npy_cloud(data, size, what);
  throw_bad_input(what + ": ." + extension + " is not a point-cloud format fdsl reads (ply, pcd, npy)");
}

}  // namespace fdsl
