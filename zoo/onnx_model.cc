// arch onnx: an ONNX graph brought as a file, read and run by OpenCV dnn on the CPU backend.
#include <fmt/core.h>

#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <stdexcept>

#include "zoo/external_model.h"

namespace lazystack {
namespace {

class OnnxModel : public ExternalModel {
 public:
  OnnxModel(const Options& options, const Dataset& ds) : ExternalModel(options, ds, "onnx") {}

 protected:
  void load_bytes(const std::string& bytes) override {
    try {
      net_ = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
      if (net_.empty()) throw std::runtime_error("OpenCV read no layers from it");
      net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      // Counted before the first forward, which may fuse layers (batch norm into convolutions).
      double params = 0;
      for (const std::string& layer : net_.getLayerNames())
        for (const cv::Mat& blob : net_.getLayer(layer)->blobs)
          params += static_cast<double>(blob.total());
      set_params(params);
      std::vector<int> shape{1};
      shape.insert(shape.end(), input_shape().begin(), input_shape().end());
      try {
        estimated_macs_ = static_cast<double>(net_.getFLOPS(shape)) / 2.0;
      } catch (const cv::Exception&) {
        estimated_macs_ = 0.0;  // unknown: shapes do not propagate; the probe run will say why
      }
    } catch (const cv::Exception& e) {
      throw std::runtime_error(e.what());
    }
  }

  std::vector<float> forward(const float* x, int n) override {
    try {
      std::vector<int> shape{n};
      shape.insert(shape.end(), input_shape().begin(), input_shape().end());
      const cv::Mat blob(static_cast<int>(shape.size()), shape.data(), CV_32F,
                         const_cast<float*>(x));
      net_.setInput(blob);
      const cv::Mat y = net_.forward();
      if (y.type() != CV_32F || y.dims < 1 || y.size[0] != n)
        throw std::runtime_error(
            fmt::format("the output is not a float32 batch of {} (type {}, first dimension {})", n,
                        y.type(), y.dims < 1 ? 0 : y.size[0]));
      const cv::Mat dense = y.isContinuous() ? y : y.clone();
      std::vector<float> out(dense.total());
      std::memcpy(out.data(), dense.ptr<float>(), sizeof(float) * out.size());
      return out;
    } catch (const cv::Exception& e) {
      throw std::runtime_error(e.what());
    }
  }

  double estimated_macs() const override { return estimated_macs_; }

 private:
  cv::dnn::Net net_;
  double estimated_macs_ = 0.0;
};

}  // namespace

std::unique_ptr<ZooModel> make_onnx_model(const Options& options, const Dataset& ds) {
  return std::make_unique<OnnxModel>(options, ds);
}

}  // namespace lazystack
