#pragma once
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pcanno/formats/labels/class_schema.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/detector.hpp"
#include "pcanno/plugin/registry.hpp"

// External-process detectors: a program of the user's (a PyTorch or TensorRT model behind a small
// script) started once per run, spoken to in JSON lines over its stdin and stdout. The protocol is
// docs/detector_protocol.md. A `*.detector.json` manifest on PCANNO_PLUGIN_PATH registers one:
//
//   {"id": "numpy-example", "version": "1.0.0", "description": "...",
//    "command": ["python3", "./numpy_detector.py"], "timeout_s": 30, "parameters": ["min_points"]}

namespace pcanno::plugin {

struct ProcessDetectorOptions {
  std::string id;                    ///< the detector's id, for messages
  std::vector<std::string> command;  ///< argv, started without a shell; argv[0] found on PATH
  std::string working_directory;     ///< the child's working folder; empty: the host's
  double timeout_s = 30.0;           ///< [s] for each frame's response; the hello waits >= 30 s
  std::size_t max_response_bytes = std::size_t{64} << 20;  ///< a longer response line is an error
  formats::AttributeMap parameters;  ///< sent to the child in the hello request
};

/// Starts the child and makes the handshake (docs/detector_protocol.md). Every error names the
/// detector, its command, what went wrong (the offending line or byte) and the tail of the child's
/// stderr. The detector kills the child on cancel and on destruction after a clean shutdown
/// request.
formats::Expected<std::unique_ptr<Detector>> start_process_detector(
    const ProcessDetectorOptions& options);

/// Reads a `*.detector.json` manifest into a factory (origin = the file). A relative program path
/// (`command[0]` with a '/') and arguments starting with "./" or "../" are resolved against the
/// manifest's folder, which is also the child's working folder, whatever the host's working folder
/// is. kMalformed naming the file and what is wrong.
formats::Expected<DetectorFactory> read_detector_manifest(const std::filesystem::path& file);

/// True for file names ending in ".detector.json".
bool is_detector_manifest(const std::filesystem::path& file);

}  // namespace pcanno::plugin
