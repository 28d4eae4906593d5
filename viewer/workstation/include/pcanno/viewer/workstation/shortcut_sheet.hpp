#pragma once
#include <QString>

namespace pcanno::viewer::workstation {

/// The F1 sheet: every key and mouse gesture of the workstation, as an HTML table.
QString shortcut_sheet_html();

}  // namespace pcanno::viewer::workstation
