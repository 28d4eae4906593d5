#include "builtin_services.hpp"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/services/automation_services.hpp"
#include "pcanno/plugin/services/qa.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {

namespace detail {
namespace {

/// The "check" service. A named type (not a lambda) so that last_check_report() can find its
/// state through std::function::target(); the state is shared so that the registry's copy of the
/// function and any copies of the registry see the same last report.
struct CheckService {
  std::shared_ptr<std::optional<QaReport>> last = std::make_shared<std::optional<QaReport>>();

  formats::Status operator()(Session& session, const formats::AttributeMap& parameters,
                             const std::function<bool(double)>& progress) const {
    auto options = qa_options_from_parameters(parameters);
    if (!options) return std::move(options).error();
    options->progress = progress;
    auto report = check_annotations(session.document(), session.sequence(), *options);
    if (!report) return std::move(report).error();
    *last = std::move(*report);
    return {};
  }
};

}  // namespace

void add_builtin_services(Registry& registry) {
  registry.add_service(AutomationService{
      ComponentInfo{"service", "check", "1.0.0", 0, "built-in",
                    "QA: class motion limits, heading flips, size drift, boxes with too few "
                    "points, overlapping boxes; findings per track and frame with a severity"},
      CheckService{}});
  add_automation_services(registry);
}

}  // namespace detail

namespace {

formats::Error bad_parameter(const std::string& name, const std::string& value,
                             const std::string& want) {
  return formats::Error{formats::ErrorCode::kInvalidArgument,
                        "check: parameter '" + name + "' = '" + value + "': expected " + want, ""};
}

}  // namespace

formats::Expected<QaOptions> qa_options_from_parameters(const formats::AttributeMap& parameters) {
  QaOptions options;
  for (const auto& [name, value] : parameters) {
    if (name == "min_points") {
      char* end = nullptr;
      errno = 0;
      const long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0 || n < 0) {
        return bad_parameter(name, value, "an integer >= 0");
      }
      options.min_points = static_cast<std::size_t>(n);
    } else if (name == "check_points") {
      if (value != "true" && value != "false") return bad_parameter(name, value, "true or false");
      options.check_points = value == "true";
    } else if (name == "nominal_rate_hz") {
      char* end = nullptr;
      const double hz = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(hz > 0.0)) {
        return bad_parameter(name, value, "a rate > 0 [Hz]");
      }
      options.nominal_rate_hz = hz;
    } else {
      return formats::Error{formats::ErrorCode::kInvalidArgument,
                            "check: unknown parameter '" + name +
                                "'; known: min_points, check_points, nominal_rate_hz",
                            ""};
    }
  }
  return options;
}

const QaReport* last_check_report(const Registry& registry) {
  const AutomationService* service = registry.service("check");
  if (service == nullptr) return nullptr;
  const auto* check = service->run.target<detail::CheckService>();
  if (check == nullptr || !check->last->has_value()) return nullptr;
  return &**check->last;
}

}  // namespace pcanno::plugin
