#include "fdsl/io/hdf5.h"

#include <atomic>
#include <mutex>
#include <string>

#include <hdf5.h>

#include "fdsl/core/error.h"

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

  // HDF5 may be built without thread safety: one caller at a time.
  static std::mutex mutex;
  static std::atomic<unsigned long> counter{0};
  std::lock_guard<std::mutex> lock(mutex);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps

  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  check(fapl.get() >= 0, "file access list");
  const std::size_t estimate = 4 * (b.data.size() + b.normal.size()) + 8 * n + (1 << 16);
  check(H5Pset_fapl_core(fapl.get(), estimate, 0) >= 0, "memory driver");
  // The core driver without backing store never touches the disk; the name only has to be unique.
  const std::string name = "fdsl-memory-" + std::to_string(counter++) + ".h5";
  Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  check(file.get() >= 0, "creating the in-memory file");

  write_dataset(file.get(), "data", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, {n, b.points, 3}, b.data.data());
  write_dataset(file.get(), "label", H5T_NATIVE_INT32, H5T_STD_I32LE, {n, 1}, b.label.data());
  if (!b.normal.empty())
    write_dataset(file.get(), "normal", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, {n, b.points, 3}, b.normal.data());
  if (!b.sample_index.empty())
    write_dataset(file.get(), "sample_index", H5T_NATIVE_INT32, H5T_STD_I32LE, {n, 2}, b.sample_index.data());

  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, "flushing");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  check(size > 0, "sizing the file image");
  out.resize(static_cast<std::size_t>(size));
  check(H5Fget_file_image(file.get(), out.data(), static_cast<std::size_t>(size)) == size, "copying the file image");
}

}  // namespace fdsl
