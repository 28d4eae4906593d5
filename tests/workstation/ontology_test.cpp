// The ontology in the workstation: a class schema loaded into the document (one undo step), the
// attribute panel's widget per attribute type, a value outside the schema refused through the
// real panel widgets (the status bar says why, the document is unchanged), a valid one applied
// and undone, and scene tags edited in the same panel.
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QStatusBar>
#include <QTableWidget>

#include "attribute_spec.hpp"
#include "files.hpp"
#include "pcanno/formats/labels/document/class_schema_file.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/attribute_rules.hpp"
#include "pcanno/viewer/workstation/attribute_panel.hpp"
#include "temp_dir.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

using formats::AttributeScope;
using formats::AttributeSpec;
using formats::AttributeType;

/// The sample's first track is a Van: its class gets one attribute of each type, and the schema
/// a mandatory scene tag.
formats::ClassSchema van_schema() {
  formats::ClassSpec van = formats::make_class_spec("Van");
  AttributeSpec occluded = attribute_spec("occluded", AttributeType::kEnum, AttributeScope::kFrame);
  occluded.values = {"0", "1", "2", "3"};
  occluded.default_value = "0";
  occluded.mandatory = true;
  AttributeSpec speed =
      attribute_spec("speed_limit", AttributeType::kNumber, AttributeScope::kTrack);
  speed.min = 0.0;
  speed.max = 50.0;
  van.attributes = {occluded,
                    attribute_spec("parked", AttributeType::kBool, AttributeScope::kTrack), speed,
                    attribute_spec("note", AttributeType::kText, AttributeScope::kTrack)};
  AttributeSpec weather = attribute_spec("weather", AttributeType::kEnum, AttributeScope::kTrack);
  weather.values = {"clear", "rain"};
  weather.mandatory = true;
  return formats::ClassSchema{{van}, {weather}, {}};
}

class WorkstationOntology : public WorkstationTest {
 protected:
  ws::WorkstationWindow& open_with_schema() {
    ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
    EXPECT_TRUE(w.session().apply(plugin::load_class_schema(w.session().document(), van_schema())));
    w.select_track(0);
    QTest::qWait(20);
    return w;
  }

  /// The widget in the value column of the row for `key` in `table`, nullptr when none.
  template <typename Widget>
  static Widget* value_widget(QTableWidget* table, const QString& key) {
    for (int r = 0; r < table->rowCount(); ++r) {
      if (table->item(r, 1)->text() == key) return qobject_cast<Widget*>(table->cellWidget(r, 2));
    }
    return nullptr;
  }

  /// Types `key=value` into the panel's line at `scope` ("track", "frame", "scene tag") and
  /// presses Return, as a user would.
  static void type_line(ws::AttributePanel* panel, const QString& scope, const QString& text) {
    auto* line = panel->findChild<QLineEdit*>(QString(), Qt::FindDirectChildrenOnly);
    QComboBox* scope_box = nullptr;
    for (QComboBox* c : panel->findChildren<QComboBox*>(QString(), Qt::FindDirectChildrenOnly)) {
      if (c->findText("scene tag") >= 0) scope_box = c;
    }
    ASSERT_NE(line, nullptr);
    ASSERT_NE(scope_box, nullptr);
    scope_box->setCurrentText(scope);
    line->setFocus();
    QTest::keyClicks(line, text);
    QTest::keyClick(line, Qt::Key_Return);
    QTest::qWait(20);
  }
};

TEST_F(WorkstationOntology, EachAttributeGetsTheWidgetOfItsType) {
  ws::WorkstationWindow& w = open_with_schema();
  QTableWidget* table = w.attributes()->table();
  ASSERT_TRUE(table->isEnabled());
  auto* occluded = value_widget<QComboBox>(table, "occluded");
  ASSERT_NE(occluded, nullptr);
  for (const char* v : {"0", "1", "2", "3"}) EXPECT_GE(occluded->findText(v), 0) << v;
  EXPECT_EQ(occluded->currentIndex(), 0);  // not set: the first entry names the default
  EXPECT_TRUE(occluded->currentText().contains("default 0"))
      << occluded->currentText().toStdString();
  EXPECT_NE(value_widget<QCheckBox>(table, "parked"), nullptr);
  auto* speed = value_widget<QDoubleSpinBox>(table, "speed_limit");
  ASSERT_NE(speed, nullptr);
  EXPECT_EQ(speed->minimum(), 0.0);
  EXPECT_EQ(speed->maximum(), 50.0);  // the spin box cannot leave the declared range
  EXPECT_NE(value_widget<QLineEdit>(table, "note"), nullptr);
  // Scopes: occluded is per box (frame), the others per track.
  for (int r = 0; r < table->rowCount(); ++r) {
    const QString key = table->item(r, 1)->text();
    EXPECT_EQ(table->item(r, 0)->text(), key == "occluded" ? "frame" : "track")
        << key.toStdString();
  }
  ASSERT_NE(value_widget<QComboBox>(w.attributes()->tags_table(), "weather"), nullptr);
}

TEST_F(WorkstationOntology, AValueOutsideTheSchemaIsRefusedAndAValidOneAppliedAndUndone) {
  ws::WorkstationWindow& w = open_with_schema();
  const std::int64_t frame = w.session().frame();
  const auto box_attributes = [&] {
    return w.session().document().track(0)->at(frame)->attributes;
  };
  ASSERT_NE(w.session().document().track(0)->at(frame), nullptr);
  const std::string before = formats::serialize_pcanno_document(w.session().document());

  // Refused: a value outside the enum, typed into the panel at frame scope.
  type_line(w.attributes(), "frame", "occluded=maybe");
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
  const QString message = w.statusBar()->currentMessage();
  EXPECT_TRUE(
      message.contains("class \"Van\", attribute \"occluded\": \"maybe\" is not one of 0, "
                       "1, 2, 3"))
      << message.toStdString();
  // Refused: a bool that is not true or false; a frame attribute set on the track.
  type_line(w.attributes(), "track", "parked=yes");
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("true or false"))
      << w.statusBar()->currentMessage().toStdString();
  type_line(w.attributes(), "track", "occluded=1");
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("per frame, not per track"))
      << w.statusBar()->currentMessage().toStdString();
  type_line(w.attributes(), "track", "speed_limit=80");
  EXPECT_TRUE(w.statusBar()->currentMessage().contains("a number from 0 to 50"))
      << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);

  // Valid: picked from the list of values; one undo step.
  auto* occluded = value_widget<QComboBox>(w.attributes()->table(), "occluded");
  ASSERT_NE(occluded, nullptr);
  occluded->setCurrentIndex(occluded->findText("2"));
  QTest::qWait(20);
  ASSERT_EQ(box_attributes().count("occluded"), 1u);
  EXPECT_EQ(box_attributes().at("occluded"), "2");
  // The panel shows the document again, the value chosen.
  occluded = value_widget<QComboBox>(w.attributes()->table(), "occluded");
  ASSERT_NE(occluded, nullptr);
  EXPECT_EQ(occluded->currentText(), "2");
  // The check box sets a bool.
  auto* parked = value_widget<QCheckBox>(w.attributes()->table(), "parked");
  ASSERT_NE(parked, nullptr);
  parked->setCheckState(Qt::Checked);
  QTest::qWait(20);
  EXPECT_EQ(w.session().document().track(0)->attributes.at("parked"), "true");

  ASSERT_TRUE(w.undo());
  EXPECT_EQ(w.session().document().track(0)->attributes.count("parked"), 0u);
  ASSERT_TRUE(w.undo());
  EXPECT_EQ(box_attributes().count("occluded"), 0u);
  EXPECT_EQ(formats::serialize_pcanno_document(w.session().document()), before);
}

// Typing ends when the user clicks elsewhere, which may select another track before the value
// arrives: the value goes to the track it was typed for.
TEST_F(WorkstationOntology, AnEditLandsOnTheTrackItWasTypedForThoughTheSelectionMoves) {
  ws::WorkstationWindow& w = open_with_schema();
  std::optional<std::int64_t> other;
  for (const formats::Track& t : w.session().document().tracks) {
    if (t.id != 0 && t.at(w.session().frame()) != nullptr) other = t.id;
  }
  ASSERT_TRUE(other);
  auto* note = value_widget<QLineEdit>(w.attributes()->table(), "note");
  ASSERT_NE(note, nullptr);
  note->setFocus();
  QTest::keyClicks(note, "dented");
  emit note->editingFinished();  // the focus leaves the line ...
  w.select_track(*other);        // ... for a click that selects another track
  QTest::qWait(20);
  const formats::Annotations& doc = w.session().document();
  ASSERT_EQ(doc.track(0)->attributes.count("note"), 1u);
  EXPECT_EQ(doc.track(0)->attributes.at("note"), "dented");
  EXPECT_EQ(doc.track(*other)->attributes.count("note"), 0u);
}

// `pcanno view --schema` holds for every session the window opens, not only the first.
TEST_F(WorkstationOntology, TheSchemaIsLoadedIntoASequenceOpenedLater) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  w.keep_class_schema(std::make_shared<const formats::ClassSchema>(van_schema()));
  const formats::ClassSpec* before = w.session().document().class_spec("Van");
  ASSERT_TRUE(before == nullptr || before->attribute("note") == nullptr);
  const formats::Status opened = w.open_sequence(sample_ / "training", "0000", false);
  ASSERT_TRUE(opened) << opened.error().describe();
  const formats::ClassSpec* van = w.session().document().class_spec("Van");
  ASSERT_NE(van, nullptr);
  EXPECT_NE(van->attribute("note"), nullptr);
  EXPECT_EQ(w.session().document().scene_tags.size(), 1u);
}

TEST_F(WorkstationOntology, SceneTagsAreEditedAndCheckedInThePanel) {
  ws::WorkstationWindow& w = open_with_schema();
  type_line(w.attributes(), "scene tag", "weather=hail");
  EXPECT_EQ(w.session().document().attributes.count("weather"), 0u);
  EXPECT_TRUE(
      w.statusBar()->currentMessage().contains("scene tag \"weather\": \"hail\" is not "
                                               "one of clear, rain"))
      << w.statusBar()->currentMessage().toStdString();
  auto* weather = value_widget<QComboBox>(w.attributes()->tags_table(), "weather");
  ASSERT_NE(weather, nullptr);
  weather->setCurrentIndex(weather->findText("rain"));
  QTest::qWait(20);
  EXPECT_EQ(w.session().document().attributes.at("weather"), "rain");
  // A frame tag the schema does not declare is free-form, on the current frame.
  type_line(w.attributes(), "frame tag", "lighting=low sun");
  const auto frame = static_cast<std::size_t>(w.session().frame());
  EXPECT_EQ(w.session().document().frames.at(frame).attributes.at("lighting"), "low sun");
  ASSERT_TRUE(w.undo());
  ASSERT_TRUE(w.undo());
  EXPECT_EQ(w.session().document().attributes.count("weather"), 0u);
}

#ifdef PCANNO_BINARY
TEST_F(WorkstationOntology, ViewRefusesASchemaThatDoesNotLoadNamingTheFile) {
  TempDir dir;
  const auto bad = dir.write("broken_schema.json",
                             R"({"format": "pcanno-class-schema", "version": 1, "classes": 3})");
  const std::string command = std::string(PCANNO_BINARY) + " view " + PCANNO_SAMPLE_DATA_DIR +
                              " --schema " + bad.string() + " --screenshot " +
                              (dir.path() / "x.png").string() + " > " +
                              (dir.path() / "out.txt").string() + " 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_NE(status, 0);
  const std::string out = slurp(dir.path() / "out.txt");
  EXPECT_NE(out.find("--schema"), std::string::npos) << out;
  EXPECT_NE(out.find("broken_schema.json"), std::string::npos) << out;
  EXPECT_NE(out.find("/classes"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.png"));
}
#endif

}  // namespace
}  // namespace pcanno::test
