#include "pcanno/viewer/workstation/attribute_panel.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <utility>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pcanno::viewer::workstation {
namespace {

using formats::AttributeScope;
using formats::AttributeSpec;
using formats::AttributeType;

constexpr double kUnboundedNumber = 1e9;  ///< spin box range of a number without min or max

QTableWidget* make_table(QWidget* parent) {
  auto* table = new QTableWidget(0, 3, parent);
  table->setHorizontalHeaderLabels({"scope", "key", "value"});
  table->horizontalHeader()->setStretchLastSection(true);
  table->verticalHeader()->hide();
  return table;
}

/// The value of `key` in `map`, nullopt when it is not set.
std::optional<std::string> value_in(const formats::AttributeMap& map, const std::string& key) {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

AttributePanel::AttributePanel(QWidget* parent)
    : QWidget(parent),
      table_(make_table(this)),
      tags_(make_table(this)),
      scope_(new QComboBox(this)),
      line_(new QLineEdit(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(table_, 3);
  layout->addWidget(new QLabel("Scene and frame tags", this));
  layout->addWidget(tags_, 2);
  auto* row = new QHBoxLayout;
  scope_->addItems({"track", "frame", "scene tag", "frame tag"});
  line_->setPlaceholderText("key=value, Return adds");
  row->addWidget(scope_);
  row->addWidget(line_);
  layout->addLayout(row);
  connect(line_, &QLineEdit::returnPressed, this, [this] { add_from_line(); });
  for (QTableWidget* t : {table_, tags_}) {
    connect(t, &QTableWidget::cellChanged, this, [this, t](int r, int c) {
      if (updating_ || c != 2 || t->item(r, 2) == nullptr) return;
      emit_row(t, r, t->item(r, 2)->text());
    });
  }
}

void AttributePanel::emit_row(QTableWidget* table, int row, const QString& value) {
  const bool frame = table->item(row, 0)->text() == "frame";
  const QString key = table->item(row, 1)->data(Qt::UserRole).toString();
  if (table == tags_) {
    emit tag_edited(tags_shown_, frame, key, value);
  } else {
    emit attribute_edited(shown_, frame, key, value);
  }
}

QWidget* AttributePanel::value_widget(const AttributeSpec& spec,
                                      const std::optional<std::string>& value, Emit emit_value) {
  // Emitted from the event loop: the edit refreshes the panel, which deletes this widget, and
  // must not do so inside the widget's own signal.
  auto later = [this, emit_value](const QString& v) {
    QMetaObject::invokeMethod(
        this,
        [this, emit_value, v] {
          if (!updating_) emit_value(v);
        },
        Qt::QueuedConnection);
  };
  const QString current = value ? QString::fromStdString(*value) : QString();
  switch (spec.type) {
    case AttributeType::kEnum: {
      auto* pick = new QComboBox;
      // Item 0: not set (choosing it removes the attribute); it names the default.
      pick->addItem(spec.default_value.empty()
                        ? QString()
                        : QString("(default %1)").arg(QString::fromStdString(spec.default_value)),
                    QString());
      for (const std::string& v : spec.values) {
        pick->addItem(QString::fromStdString(v), QString::fromStdString(v));
      }
      // A value outside the allowed ones (read from a file) is shown as it is; QA reports it.
      if (value && pick->findData(current) < 0) pick->addItem(current, current);
      pick->setCurrentIndex(value ? pick->findData(current) : 0);
      connect(pick, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
              [pick, later](int i) { later(pick->itemData(i).toString()); });
      return pick;
    }
    case AttributeType::kBool: {
      auto* check = new QCheckBox;
      check->setTristate(true);  // partly checked: not set
      check->setCheckState(!value              ? Qt::PartiallyChecked
                           : *value == "true"  ? Qt::Checked
                           : *value == "false" ? Qt::Unchecked
                                               : Qt::PartiallyChecked);
      check->setToolTip("checked: true, clear: false, partly: not set");
      connect(check, &QCheckBox::stateChanged, this, [later](int s) {
        later(s == Qt::Checked ? "true" : s == Qt::Unchecked ? "false" : "");
      });
      return check;
    }
    case AttributeType::kNumber: {
      auto* spin = new QDoubleSpinBox;
      spin->setDecimals(4);
      spin->setRange(spec.min.value_or(-kUnboundedNumber), spec.max.value_or(kUnboundedNumber));
      const std::string shown = value ? *value : spec.default_value;
      spin->setValue(shown.empty() ? std::clamp(0.0, spin->minimum(), spin->maximum())
                                   : std::strtod(shown.c_str(), nullptr));
      // Only a changed value is set: leaving the box untouched must not set an unset attribute.
      auto changed = std::make_shared<bool>(false);
      connect(spin, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
              [changed](double) { *changed = true; });
      connect(spin, &QDoubleSpinBox::editingFinished, this, [spin, changed, later] {
        if (!*changed) return;
        *changed = false;
        later(QString::number(spin->value(), 'g', 12));
      });
      return spin;
    }
    case AttributeType::kText:
      break;
  }
  auto* edit = new QLineEdit(current);
  edit->setPlaceholderText(QString::fromStdString(spec.default_value));
  connect(edit, &QLineEdit::editingFinished, this, [edit, later] {
    if (edit->isModified()) later(edit->text());
  });
  return edit;
}

void AttributePanel::add_row(QTableWidget* table, const QString& scope, const std::string& key,
                             const std::optional<std::string>& value, const AttributeSpec* spec) {
  const int r = table->rowCount();
  table->insertRow(r);
  auto* scope_item = new QTableWidgetItem(scope);
  auto* key_item = new QTableWidgetItem(QString::fromStdString(key));
  key_item->setData(Qt::UserRole, QString::fromStdString(key));
  for (QTableWidgetItem* item : {scope_item, key_item}) {
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  }
  if (spec != nullptr) {
    QFont font = key_item->font();
    font.setBold(spec->mandatory);
    font.setItalic(!value);
    key_item->setFont(font);
    key_item->setToolTip(QString::fromStdString(
        std::string(formats::to_string(spec->type)) + ": " + formats::describe_allowed(*spec) +
        (spec->mandatory ? "; mandatory" : "") +
        (spec->default_value.empty() ? "" : "; default " + spec->default_value) +
        (value ? "" : "; not set")));
  }
  table->setItem(r, 0, scope_item);
  table->setItem(r, 1, key_item);
  table->setItem(r, 2, new QTableWidgetItem(QString::fromStdString(value.value_or(""))));
  if (spec == nullptr) return;
  table->item(r, 2)->setFlags(table->item(r, 2)->flags() & ~Qt::ItemIsEditable);
  // The row's scope and key are taken now: by the time the queued value arrives the table may
  // have been filled again.
  const bool frame = scope == "frame";
  const QString k = QString::fromStdString(key);
  const bool tag = table == tags_;
  const EditTarget target = tag ? tags_shown_ : shown_;
  table->setCellWidget(r, 2,
                       value_widget(*spec, value, [this, tag, target, frame, k](const QString& v) {
                         if (tag) {
                           emit tag_edited(target, frame, k, v);
                         } else {
                           emit attribute_edited(target, frame, k, v);
                         }
                       }));
}

void AttributePanel::show_track(const formats::Track* track, std::int64_t frame,
                                const formats::Annotations* doc) {
  updating_ = true;
  shown_ = EditTarget{};
  if (track) shown_.track = track->id;
  shown_.frame = frame;
  table_->setRowCount(0);
  table_->setEnabled(track != nullptr);
  if (track) {
    const formats::BoxState* box = track->at(frame);
    const formats::ClassSpec spec =
        doc ? doc->class_or_default(track->label) : formats::ClassSpec{};
    const auto declared = [&](const formats::AttributeMap& map, AttributeScope scope) {
      for (const AttributeSpec& a : spec.attributes) {
        if (a.scope != scope) continue;
        add_row(table_, scope == AttributeScope::kFrame ? "frame" : "track", a.name,
                value_in(map, a.name), &a);
      }
    };
    const auto free_form = [&](const formats::AttributeMap& map, const QString& scope) {
      for (const auto& [k, v] : map) {
        if (doc == nullptr || spec.attribute(k) == nullptr) add_row(table_, scope, k, v, nullptr);
      }
    };
    if (doc) declared(track->attributes, AttributeScope::kTrack);
    free_form(track->attributes, "track");
    if (box) {
      if (doc) declared(box->attributes, AttributeScope::kFrame);
      free_form(box->attributes, "frame");
    }
  }
  updating_ = false;
}

void AttributePanel::show_polyline(const formats::PolylineTrack* polyline,
                                   const formats::ClassSpec& spec) {
  updating_ = true;
  shown_ = EditTarget{};
  if (polyline) shown_.polyline = polyline->id;
  table_->setRowCount(0);
  table_->setEnabled(polyline != nullptr);
  // A polyline's attributes are its track's: every declared one is a track row.
  if (scope_->currentIndex() == 1) scope_->setCurrentIndex(0);
  if (polyline) {
    for (const AttributeSpec& a : spec.attributes) {
      add_row(table_, "track", a.name, value_in(polyline->attributes, a.name), &a);
    }
    for (const auto& [k, v] : polyline->attributes) {
      if (spec.attribute(k) == nullptr) add_row(table_, "track", k, v, nullptr);
    }
  }
  updating_ = false;
}

void AttributePanel::show_tags(const formats::Annotations& doc, std::int64_t frame) {
  updating_ = true;
  tags_shown_ = EditTarget{};
  tags_shown_.frame = frame;
  tags_->setRowCount(0);
  // Scene: the declared tags only; the document's other attributes are metadata (source format).
  for (const AttributeSpec& a : doc.scene_tags) {
    add_row(tags_, "scene", a.name, value_in(doc.attributes, a.name), &a);
  }
  const bool has_frame = frame >= 0 && frame < static_cast<std::int64_t>(doc.frames.size());
  if (has_frame) {
    const formats::AttributeMap& values = doc.frames[static_cast<std::size_t>(frame)].attributes;
    for (const AttributeSpec& a : doc.frame_tags) {
      add_row(tags_, "frame", a.name, value_in(values, a.name), &a);
    }
    for (const auto& [k, v] : values) {
      if (formats::find_attribute(doc.frame_tags, k) == nullptr) {
        add_row(tags_, "frame", k, v, nullptr);
      }
    }
  }
  updating_ = false;
}

void AttributePanel::add_from_line() {
  const QString text = line_->text();
  const int eq = text.indexOf('=');
  if (eq <= 0) return;
  const QString key = text.left(eq).trimmed();
  const QString value = text.mid(eq + 1).trimmed();
  const int scope = scope_->currentIndex();
  if (scope >= 2) {
    emit tag_edited(tags_shown_, scope == 3, key, value);
  } else {
    emit attribute_edited(shown_, scope == 1, key, value);
  }
  line_->clear();
}

}  // namespace pcanno::viewer::workstation
