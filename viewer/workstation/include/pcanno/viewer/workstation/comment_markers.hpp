#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "pcanno/store/model.hpp"

class vtkRenderer;

namespace pcanno::viewer::workstation {

/// Review comments drawn in a view: at each comment of the shown frame a magenta dot at its
/// position [world] and its author and text beside it, over the cloud.
class CommentMarkers {
 public:
  explicit CommentMarkers(vtkRenderer* renderer);
  ~CommentMarkers();
  CommentMarkers(const CommentMarkers&) = delete;
  CommentMarkers& operator=(const CommentMarkers&) = delete;

  /// Shows the comments of `frame` (resolved ones too, greyed out in the text: "(resolved)").
  void show(const std::vector<store::Comment>& comments, std::int64_t frame);
  /// How many markers are shown.
  std::size_t shown() const { return shown_; }

 private:
  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
  std::size_t shown_ = 0;
};

}  // namespace pcanno::viewer::workstation
