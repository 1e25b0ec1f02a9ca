#include "fdsl/io/hdf5.h"

#include <atomic>
#include <mutex>
#include <string>

#include <hdf5.h>

#include "fdsl/core/error.h"
#include "fdsl/io/cloud_read.h"

namespace fdsl {

namespace {

/// Closes an HDF5 handle on scope exit.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void check(bool ok, const std::string& what) {
  if (!ok) throw_runtime("HDF5 writer: " + what + " failed");
}

void write_dataset(hid_t file, const char* name, hid_t mem_type, hid_t file_type, const std::vector<hsize_t>& dims,
                   const void* data) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  check(space.get() >= 0, std::string("dataspace of '") + name + "'");
  // No object timestamps: HDF5 records the creation second in each dataset's header by default,
  // which made files written a second apart differ.
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  check(dcpl.get() >= 0 && H5Pset_obj_track_times(dcpl.get(), 0) >= 0, "dataset creation properties");
  Handle set(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
  check(set.get() >= 0, std::string("creating dataset '") + name + "'");
  check(H5Dwrite(set.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0,
        std::string("writing dataset '") + name + "'");
}

/// HDF5 may be built without thread safety: one caller at a time, writers and readers alike.
std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void encode_modelnet_h5(const ModelNetBatch& b, std::vector<std::uint8_t>& out) {
  const std::size_t n = b.size(), per = b.points * 3;
  if (n == 0) throw_bad_input("HDF5 writer: a file needs at least one cloud");
  if (b.data.size() != n * per)
    throw_bad_input("HDF5 writer: " + std::to_string(b.data.size()) + " coordinates for " + std::to_string(n) +
                    " clouds of " + std::to_string(b.points) + " points; every cloud must have the same size");
  if (!b.normal.empty() && b.normal.size() != b.data.size())
    throw_bad_input("HDF5 writer: normals and points differ in number");
  if (!b.sample_index.empty() && b.sample_index.size() != 2 * n)
    throw_bad_input("HDF5 writer: sample_index needs 2 values per cloud");
  if (!b.pid.empty() && b.pid.size() != n * b.points) throw_bad_input("HDF5 writer: pid needs one value per point");

  // HDF5 may be built without thread safety: one caller at a time.
  static std::atomic<unsigned long> counter{0};
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps

  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  check(fapl.get() >= 0, "file access list");
  const std::size_t estimate = 4 * (b.data.size() + b.normal.size()) + b.pid.size() + 8 * n + (1 << 16);
  check(H5Pset_fapl_core(fapl.get(), estimate, 0) >= 0, "memory driver");
  // The core driver without backing store never touches the disk; the name only has to be unique.
  const std::string name = "fdsl-memory-" + std::to_string(counter++) + ".h5";
  Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  check(file.get() >= 0, "creating the in-memory file");

  write_dataset(file.get(), "data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, {n, b.points, 3}, b.data.data());
  write_dataset(file.get(), "label", H5T_NATIVE_INT32, H5T_STD_I32LE, {n, 1}, b.label.data());
  if (!b.normal.empty())
    write_dataset(file.get(), "normal", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, {n, b.points, 3}, b.normal.data());
  if (!b.pid.empty()) write_dataset(file.get(), "pid", H5T_NATIVE_UINT8, H5T_STD_U8LE, {n, b.points}, b.pid.data());
  if (!b.sample_index.empty())
    write_dataset(file.get(), "sample_index", H5T_NATIVE_INT32, H5T_STD_I32LE, {n, 2}, b.sample_index.data());

  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, "flushing");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  check(size > 0, "sizing the file image");
  out.resize(static_cast<std::size_t>(size));
  check(H5Fget_file_image(file.get(), out.data(), static_cast<std::size_t>(size)) == size, "copying the file image");
}

ModelNetClouds read_modelnet_h5(const std::filesystem::path& path) {
  const std::string what = path.string();
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw_bad_input(what + ": not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.get() < 0) throw_bad_input(what + ": not an HDF5 file");
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  // Opens `name`, checks its rank and class, and returns its dimensions.
  auto open = [&](const char* name, std::vector<hsize_t>& dims, H5T_class_t want) {
    if (H5Lexists(file.get(), name, H5P_DEFAULT) <= 0) throw_bad_input(what + ": no dataset '" + name + "'");
    const hid_t set = H5Dopen2(file.get(), name, H5P_DEFAULT);
    if (set < 0) throw_bad_input(what + ": dataset '" + name + "' cannot be opened");
    Handle space(H5Dget_space(set), H5Sclose);
    Handle type(H5Dget_type(set), H5Tclose);
    const int rank = space.get() >= 0 ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 1 || rank > 3 || type.get() < 0 || H5Tget_class(type.get()) != want) {
      H5Dclose(set);
      throw_bad_input(what + ": dataset '" + name + "' is not " + (want == H5T_FLOAT ? "floats" : "integers") +
                      " of rank 1 to 3");
    }
    dims.assign(static_cast<std::size_t>(rank), 0);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    // Compressed data may exceed the file, but not a thousandfold (and never past 8 GiB).
    double elements = 1;
    for (hsize_t d : dims) elements *= static_cast<double>(d);
    const double bytes = elements * static_cast<double>(H5Tget_size(type.get()));
    if (bytes > 8.0 * (1ull << 30) || (ec ? false : bytes > 1000.0 * static_cast<double>(file_size) + 65536)) {
      H5Dclose(set);
      throw_bad_input(what + ": dataset '" + name + "' is larger than the file can hold");
    }
    return set;
  };
  ModelNetClouds out;
  std::vector<hsize_t> dims;
  {
    Handle set(open("data", dims, H5T_FLOAT), H5Dclose);
    if (dims.size() != 3 || dims[2] != 3) throw_bad_input(what + ": 'data' is not (B, N, 3)");
    out.count = dims[0];
    out.points = dims[1];
    out.xyz.resize(out.count * out.points * 3);
    if (!out.xyz.empty() && H5Dread(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.xyz.data()) < 0)
      throw_bad_input(what + ": 'data' cannot be read");
  }
  {
    Handle set(open("label", dims, H5T_INTEGER), H5Dclose);
    if (dims[0] != out.count || (dims.size() == 2 && dims[1] != 1) || dims.size() == 3)
      throw_bad_input(what + ": 'label' is not (B,) or (B, 1) for the B clouds of 'data'");
    out.label.resize(out.count);
    if (!out.label.empty() && H5Dread(set.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.label.data()) < 0)
      throw_bad_input(what + ": 'label' cannot be read");
  }
  return out;
}

}  // namespace fdsl
