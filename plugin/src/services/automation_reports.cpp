#include "pcanno/plugin/services/automation_reports.hpp"

namespace pcanno::plugin {

ReportValue fit_report(std::int64_t frame, const std::string& label,
                       const geometry::FitResult& fit) {
  const geometry::Cuboid& b = fit.box;
  return ReportValue::object()
      .add("frame", frame)
      .add("class", label)
      .add("frame_of_reference", "lidar")
      .add("center", ReportValue::array().push(b.center.x()).push(b.center.y()).push(b.center.z()))
      .add("size", ReportValue::array().push(b.size.x()).push(b.size.y()).push(b.size.z()))
      .add("yaw", b.yaw())
      .add("rotation_wxyz", ReportValue::array()
                                .push(b.rotation.w())
                                .push(b.rotation.x())
                                .push(b.rotation.y())
                                .push(b.rotation.z()))
      .add("points", fit.point_ids.size())
      .add("used_prior", fit.used_prior)
      .add("cut_to_prior", fit.cut_to_prior);
}

void add_check_report(ReportValue& out, const formats::Annotations& labels,
                      const formats::Sequence* sequence, const QaReport& r) {
  ReportValue findings = ReportValue::array();
  for (const Finding& f : r.findings) {
    const formats::Track* t = f.track >= 0 ? labels.track(f.track) : nullptr;
    findings.push(ReportValue::object()
                      .add("severity", to_string(f.severity))
                      .add("check", f.check)
                      .add("track", f.track >= 0 ? ReportValue(f.track) : ReportValue())
                      .add("label", t != nullptr ? ReportValue(t->label) : ReportValue())
                      .add("frame", f.frame >= 0 ? ReportValue(f.frame) : ReportValue())
                      .add("value", f.value)
                      .add("limit", f.limit)
                      .add("message", f.message));
  }
  ReportValue seq;
  if (sequence != nullptr) {
    seq = ReportValue::object()
              .add("layout", sequence->layout)
              .add("name", sequence->name)
              .add("path", sequence->root.string());
  }
  out.add("sequence", std::move(seq))
      .add("summary", ReportValue::object()
                          .add("errors", r.count(Severity::kError))
                          .add("warnings", r.count(Severity::kWarning))
                          .add("infos", r.count(Severity::kInfo))
                          .add("tracks", r.tracks)
                          .add("boxes", r.boxes)
                          .add("clouds_read", r.clouds_read)
                          .add("motion_in_world", r.motion_in_world))
      .add("findings", std::move(findings));
}

}  // namespace pcanno::plugin
