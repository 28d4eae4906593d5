#pragma once
#include <nlohmann/json.hpp>

#include "pcanno/plugin/services/report_value.hpp"

namespace pcanno::app {

/// An engine report (eval, check and fit results) as the JSON the commands print with --json:
/// objects come out sorted by key, as nlohmann prints them.
nlohmann::json to_json(const plugin::ReportValue& v);

}  // namespace pcanno::app
