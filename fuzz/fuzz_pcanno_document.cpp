// The native document and the journal's edit lines: both are read back after a crash or from a
// hand-edited file, so neither parser may crash on any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/document/edit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = pcanno::formats::parse_pcanno_document(text, "fuzz.json");
  auto edits = pcanno::formats::parse_edits(text, "fuzz.journal:2");
  if (doc && edits) (void)pcanno::formats::apply_edits(*doc, *edits);
  if (edits) (void)pcanno::formats::serialize_edits(*edits);
  return 0;
}
