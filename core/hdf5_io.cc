#include "core/hdf5_io.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <hdf5.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/log.h"
#include "core/size_check.h"

namespace lazystack {
namespace h5 {
namespace {

// HDF5 prints its own error stack by default; we report errors ourselves.
void silence_hdf5() {
  static bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

// Closes an hid_t with the given function when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("HDF5 file '{}': {}", path, what));
}

// HDF5 takes a flock() on the files it opens (shared to read, exclusive to write); a shared
// lock we cannot take means a writer holds the file.
bool locked_by_another_process(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

}  // namespace

// A created file lives in memory (HDF5's core driver, no backing store) until close(), which
// writes its image with checked writes: a full disk or a file-size limit then fails in our
// code with a message, never inside HDF5's own flush or its exit-time cleanup.
File File::create(const std::string& path) {
  silence_hdf5();
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 20, false) < 0)
    fail(path, "cannot set up an in-memory file");
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (id < 0) fail(path, "cannot create");
  File f(id, path);
  f.created_ = true;
  f.uncaught_ = std::uncaught_exceptions();
  return f;
}

File File::open(const std::string& path) {
  silence_hdf5();
  if (!std::filesystem::exists(path)) fail(path, "does not exist");
  const char* locked =
      "is locked by another process (a run or an import still writing it?): try again when it "
      "has finished";
  if (H5Fis_hdf5(path.c_str()) <= 0)
    fail(path, locked_by_another_process(path) ? locked : "is not a readable HDF5 file");
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0)
    fail(path, locked_by_another_process(path) ? locked : "cannot open (truncated or corrupt?)");
  return File(id, path);
}

File::File(File&& other) noexcept
    : id_(other.id_),
      path_(std::move(other.path_)),
      created_(other.created_),
      uncaught_(other.uncaught_) {
  other.id_ = -1;
}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    discard_or_close();
    id_ = other.id_;
    path_ = std::move(other.path_);
    created_ = other.created_;
    uncaught_ = other.uncaught_;
    other.id_ = -1;
  }
  return *this;
}

File::~File() { discard_or_close(); }

void File::discard_or_close() noexcept {
  if (id_ < 0) return;
  // Unwinding from an error: a created file is half-filled, so it is dropped, not written.
  if (created_ && std::uncaught_exceptions() > uncaught_) {
    H5Fclose(id_);
    id_ = -1;
    return;
  }
  try {
    close();
  } catch (const std::exception& e) {
    log_warn("{}", e.what());
  }
}

void File::close() {
  if (id_ < 0) return;
  const hid_t id = id_;
  id_ = -1;
  if (!created_) {
    if (H5Fclose(id) < 0) fail(path_, "cannot close");
    return;
  }
  std::vector<char> image;
  if (H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0) {
    const ssize_t size = H5Fget_file_image(id, nullptr, 0);
    if (size > 0) {
      image.resize(static_cast<size_t>(size));
      if (H5Fget_file_image(id, image.data(), image.size()) != size) image.clear();
    }
  }
  const bool closed = H5Fclose(id) >= 0;
  if (image.empty() || !closed) fail(path_, "cannot finish the file in memory");
  write_bytes_to(path_, image.data(), image.size());
}

bool File::exists(const std::string& name) const {
  // Check each path component: H5Lexists fails on a missing intermediate group.
  std::string partial;
  size_t start = name[0] == '/' ? 1 : 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    partial += "/" + name.substr(start, end - start);
    if (H5Lexists(id_, partial.c_str(), H5P_DEFAULT) <= 0) return false;
    start = end + 1;
  }
  return true;
}

void File::ensure_parent_groups(const std::string& name) {
  size_t pos = name[0] == '/' ? 1 : 0;
  while ((pos = name.find('/', pos)) != std::string::npos) {
    const std::string group = name.substr(0, pos);
    if (!group.empty() && H5Lexists(id_, group.c_str(), H5P_DEFAULT) <= 0) {
      Handle g(H5Gcreate2(id_, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      if (!g.ok()) fail(path_, "cannot create group " + group);
    }
    ++pos;
  }
}

namespace {

void write_dataset(hid_t file, const std::string& path, const std::string& name, hid_t file_type,
                   hid_t mem_type, const void* data, const std::vector<uint64_t>& dims) {
  std::vector<hsize_t> hd(dims.begin(), dims.end());
  Handle space(H5Screate_simple(static_cast<int>(hd.size()), hd.data(), nullptr), H5Sclose);
  if (!space.ok()) fail(path, "cannot create dataspace for " + name);
  Handle ds(
      H5Dcreate2(file, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (!ds.ok()) fail(path, "cannot create dataset " + name);
  if (H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(path, "cannot write dataset " + name);
}

// The number of values of dataset `name` of extents `dims`, checked before anything is
// allocated: the product must not overflow, a contiguous dataset must store the bytes its
// extents declare (a forged header cannot make us zero-fill gigabytes), and the values, as
// `value_size`-byte numbers, must fit in memory.
size_t checked_count(hid_t ds, const std::string& path, const std::string& name,
                     const std::vector<hsize_t>& dims, size_t value_size) {
  uint64_t count = 1;
  for (hsize_t d : dims) count = checked_mul(count, d, path, "dataset " + name + "'s extents");
  if (count == 0) return 0;
  Handle type(H5Dget_type(ds), H5Tclose);
  Handle plist(H5Dget_create_plist(ds), H5Pclose);
  if (type.ok() && plist.ok() && H5Pget_layout(plist.get()) == H5D_CONTIGUOUS) {
    const uint64_t declared = checked_mul(count, H5Tget_size(type.get()), path, "dataset " + name);
    const uint64_t stored = H5Dget_storage_size(ds);
    if (stored < declared)
      throw SizeError(path, fmt::format("dataset {} declares {} values ({} bytes) but stores {} "
                                        "bytes: truncated or corrupt",
                                        name, count, declared, stored));
  }
  check_fits_in_memory(checked_mul(count, value_size, path, "dataset " + name), path,
                       "reading dataset " + name);
  return static_cast<size_t>(count);
}

template <class T>
std::vector<T> read_dataset(hid_t file, const std::string& path, const std::string& name,
                            hid_t mem_type, std::vector<uint64_t>* dims_out) {
  Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(path, "has no dataset " + name);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(path, "bad dataspace for " + name);
  std::vector<hsize_t> hd(rank);
  H5Sget_simple_extent_dims(space.get(), hd.data(), nullptr);
  const size_t count = checked_count(ds.get(), path, name, hd, sizeof(T));
  std::vector<T> out(count);
  if (count > 0 && H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail(path, "cannot read dataset " + name + " (truncated or wrong type?)");
  if (dims_out) dims_out->assign(hd.begin(), hd.end());
  return out;
}

hid_t half_type() {
  // IEEE binary16: 1 sign, 5 exponent, 10 mantissa bits; h5py reads it as numpy float16.
  static hid_t t = [] {
    hid_t h = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(h, 15, 10, 5, 0, 10);
    H5Tset_size(h, 2);
    H5Tset_ebias(h, 15);
    H5Tlock(h);
    return h;
  }();
  return t;
}

}  // namespace

void File::write_f32(const std::string& name, const float* data,
                     const std::vector<uint64_t>& dims) {
  ensure_parent_groups(name);
  write_dataset(id_, path_, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, dims);
}
void File::write_f16(const std::string& name, const float* data,
                     const std::vector<uint64_t>& dims) {
  ensure_parent_groups(name);
  write_dataset(id_, path_, name, half_type(), H5T_NATIVE_FLOAT, data, dims);
}
void File::write_f64(const std::string& name, const double* data,
                     const std::vector<uint64_t>& dims) {
  ensure_parent_groups(name);
  write_dataset(id_, path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, dims);
}
void File::write_i32(const std::string& name, const int32_t* data,
                     const std::vector<uint64_t>& dims) {
  ensure_parent_groups(name);
  write_dataset(id_, path_, name, H5T_STD_I32LE, H5T_NATIVE_INT32, data, dims);
}
void File::write_u64(const std::string& name, const uint64_t* data,
                     const std::vector<uint64_t>& dims) {
  ensure_parent_groups(name);
  write_dataset(id_, path_, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, data, dims);
}

std::vector<float> File::read_f32(const std::string& name, std::vector<uint64_t>* dims) const {
  return read_dataset<float>(id_, path_, name, H5T_NATIVE_FLOAT, dims);
}
std::vector<double> File::read_f64(const std::string& name, std::vector<uint64_t>* dims) const {
  return read_dataset<double>(id_, path_, name, H5T_NATIVE_DOUBLE, dims);
}
std::vector<int32_t> File::read_i32(const std::string& name, std::vector<uint64_t>* dims) const {
  return read_dataset<int32_t>(id_, path_, name, H5T_NATIVE_INT32, dims);
}

std::vector<uint64_t> File::dims(const std::string& name) const {
  Handle ds(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(path_, "has no dataset " + name);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> hd(std::max(rank, 0));
  H5Sget_simple_extent_dims(space.get(), hd.data(), nullptr);
  return {hd.begin(), hd.end()};
}

void File::set_attr(const std::string& object, const std::string& key, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (H5Aexists_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT);
  Handle attr(H5Acreate_by_name(id_, object.c_str(), key.c_str(), type.get(), space.get(),
                                H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) fail(path_, "cannot create attribute " + object + "@" + key);
  const char* s = value.c_str();
  if (H5Awrite(attr.get(), type.get(), &s) < 0) fail(path_, "cannot write attribute " + key);
}

void File::set_attr(const std::string& object, const std::string& key, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (H5Aexists_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT);
  Handle attr(H5Acreate_by_name(id_, object.c_str(), key.c_str(), H5T_IEEE_F64LE, space.get(),
                                H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) fail(path_, "cannot create attribute " + object + "@" + key);
  if (H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    fail(path_, "cannot write attribute " + key);
}

bool File::has_attr(const std::string& object, const std::string& key) const {
  return H5Aexists_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT) > 0;
}

std::string File::get_attr_string(const std::string& object, const std::string& key) const {
  Handle attr(H5Aopen_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) fail(path_, "has no attribute " + object + "@" + key);
  Handle ftype(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail(path_, "attribute " + key + " is not a string");
  if (H5Tis_variable_str(ftype.get()) > 0) {
    Handle mtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mtype.get(), H5T_VARIABLE);
    H5Tset_cset(mtype.get(), H5Tget_cset(ftype.get()));  // no ASCII<->UTF-8 conversion exists
    char* s = nullptr;
    if (H5Aread(attr.get(), mtype.get(), &s) < 0) fail(path_, "cannot read attribute " + key);
    std::string out = s ? s : "";
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, &s);
    return out;
  }
  const size_t size = H5Tget_size(ftype.get());
  std::string out(size, '\0');
  if (H5Aread(attr.get(), ftype.get(), out.data()) < 0) fail(path_, "cannot read attribute " + key);
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

double File::get_attr_double(const std::string& object, const std::string& key) const {
  Handle attr(H5Aopen_by_name(id_, object.c_str(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) fail(path_, "has no attribute " + object + "@" + key);
  double v = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(path_, "cannot read attribute " + key);
  return v;
}

void write_atomically(const std::string& path, const std::function<void(File&)>& write) {
  write_file_atomically(path, [&](const std::string& tmp) {
    File f = File::create(tmp);
    write(f);
    f.close();
  });
}

}  // namespace h5
}  // namespace lazystack
