// Minimal HDF5 helpers (C API behind RAII): contiguous, uncompressed datasets that h5py reads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lazystack {
namespace h5 {

/// An open HDF5 file. Errors throw std::runtime_error naming the file and the object.
class File {
 public:
  /// Creates (truncates) a file for writing. It is built in memory and written to `path` by
  /// close() with checked writes and fsync (which throws on failure); the destructor closes
  /// it too (logging a failure), except while an exception unwinds: then nothing is written.
  static File create(const std::string& path);
  /// Opens an existing file read-only; throws if it is not a readable HDF5 file.
  static File open(const std::string& path);
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  const std::string& path() const { return path_; }
  /// True if the object (group or dataset, "/a/b") exists.
  bool exists(const std::string& name) const;

  /// Writes a dataset, creating intermediate groups.
  void write_f32(const std::string& name, const float* data, const std::vector<uint64_t>& dims);
  void write_f16(const std::string& name, const float* data, const std::vector<uint64_t>& dims);
  void write_f64(const std::string& name, const double* data, const std::vector<uint64_t>& dims);
  void write_i32(const std::string& name, const int32_t* data, const std::vector<uint64_t>& dims);
  void write_u64(const std::string& name, const uint64_t* data, const std::vector<uint64_t>& dims);
  /// Reads a whole dataset converted to the requested type; `dims` receives its shape.
  std::vector<float> read_f32(const std::string& name, std::vector<uint64_t>* dims) const;
  std::vector<double> read_f64(const std::string& name, std::vector<uint64_t>* dims) const;
  std::vector<int32_t> read_i32(const std::string& name, std::vector<uint64_t>* dims) const;
  /// Shape of a dataset.
  std::vector<uint64_t> dims(const std::string& name) const;

  /// String / double attributes on an object ("/" for the file).
  void set_attr(const std::string& object, const std::string& key, const std::string& value);
  void set_attr(const std::string& object, const std::string& key, double value);
  bool has_attr(const std::string& object, const std::string& key) const;
  std::string get_attr_string(const std::string& object, const std::string& key) const;
  double get_attr_double(const std::string& object, const std::string& key) const;

  void close();

 private:
  File(int64_t id, std::string path) : id_(id), path_(std::move(path)) {}
  void ensure_parent_groups(const std::string& name);
  void discard_or_close() noexcept;
  int64_t id_ = -1;
  std::string path_;
  bool created_ = false;  ///< made by create(): close() writes its in-memory image
  int uncaught_ = 0;      ///< std::uncaught_exceptions() at creation
};

/// Writes `path` atomically (core/atomic_file.h): `write` fills a temporary file beside it,
/// which is then synced and renamed over `path`. A crash or a failed write leaves either the
/// old file or none, never a half-written one.
void write_atomically(const std::string& path, const std::function<void(File&)>& write);

}  // namespace h5
}  // namespace lazystack
