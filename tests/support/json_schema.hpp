#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "test_data.hpp"

// Validating written files against a JSON Schema with python3-jsonschema, the reference validator.
namespace pcanno::test {

/// One interpreter for all files (each start costs about half a second): checks `schema` itself,
/// then whether each of `files` is valid. Empty when python3 or jsonschema fails. The verdicts pass
/// through a file in `dir`.
inline std::vector<bool> schema_verdicts(const std::filesystem::path& schema,
                                         const std::filesystem::path& dir,
                                         const std::vector<std::filesystem::path>& files) {
  const std::filesystem::path out = dir / "verdicts.txt";
  std::string command =
      "python3 -c \"import json,jsonschema,sys; s=json.load(open(sys.argv[1])); "
      "v=jsonschema.validators.validator_for(s); v.check_schema(s); "
      "[print(int(v(s).is_valid(json.load(open(p))))) for p in sys.argv[2:]]\" '" +
      schema.string() + "'";
  for (const std::filesystem::path& f : files) command += " '" + f.string() + "'";
  command += " > '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) return {};
  std::vector<bool> verdicts;
  for (const char c : slurp(out)) {
    if (c == '0' || c == '1') verdicts.push_back(c == '1');
  }
  return verdicts;
}

/// Expects `schema` to accept each of `valid` and to refuse each of `invalid` (`what` names them in
/// failures), checked with one python3 run.
inline void expect_schema_verdicts(const std::filesystem::path& schema,
                                   const std::filesystem::path& dir,
                                   const std::vector<std::filesystem::path>& valid,
                                   const std::vector<std::filesystem::path>& invalid,
                                   const std::vector<std::string>& what) {
  std::vector<std::filesystem::path> all = valid;
  all.insert(all.end(), invalid.begin(), invalid.end());
  const std::vector<bool> verdicts = schema_verdicts(schema, dir, all);
  ASSERT_EQ(verdicts.size(), all.size()) << "python3 -c ... failed; is the schema itself valid?";
  for (std::size_t i = 0; i < valid.size(); ++i) {
    EXPECT_TRUE(verdicts[i]) << valid[i].filename() << " fails the schema";
  }
  for (std::size_t i = 0; i < invalid.size(); ++i) {
    EXPECT_FALSE(verdicts[valid.size() + i]) << what.at(i) << ": the schema accepts it";
  }
}

/// jsonschema.validate(instance, schema) exactly: exit status 0 when `file` is valid.
inline int validate_with_python(const std::filesystem::path& file,
                                const std::filesystem::path& schema) {
  const std::string command =
      "python3 -c \"import json,jsonschema,sys; "
      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\" '" +
      file.string() + "' '" + schema.string() + "' >/dev/null 2>&1";
  return std::system(command.c_str());
}

}  // namespace pcanno::test

/// Ends the test when `schema` is missing (a failure) or python3-jsonschema is (a failure under
/// CI, a visible skip elsewhere).
#define PCANNO_REQUIRE_JSONSCHEMA(schema)                                       \
  do {                                                                          \
    ASSERT_TRUE(std::filesystem::exists(schema)) << (schema);                   \
    if (std::system("python3 -c \"import jsonschema\" >/dev/null 2>&1") != 0) { \
      if (::pcanno::test::running_in_ci()) {                                    \
        FAIL() << "python3 with jsonschema is required under CI";               \
      }                                                                         \
      GTEST_SKIP() << "python3 or its jsonschema module is missing (Debian: "   \
                      "python3-jsonschema); schema validation not checked";     \
    }                                                                           \
  } while (0)
