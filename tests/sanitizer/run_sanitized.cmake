# Configures a build with AddressSanitizer and UBSan next to the main build, builds a test suite there
# and runs it, so that CI exercises the readers under the sanitizers each run. -O1 -g1, the level the
# sanitizers' authors recommend, compiles twice as fast as RelWithDebInfo's -O2 -g (building is
# nearly all of the time these tests take) and still gives stack traces with file and line.
foreach(var SOURCE_DIR WORK_DIR GENERATOR TARGET)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_sanitized.cmake needs -D${var}=...")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${step}: ok")
endfunction()

# The main build's compiler launcher (ccache), so that a rerun on the same machine is fast.
set(launcher_args "")
if(LAUNCHER)
  set(launcher_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}" "-DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run("configure sanitized build" ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}" -G "${GENERATOR}"
    ${launcher_args}
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DPCANNO_SANITIZE=ON -DPCANNO_BUILD_APP=OFF -DPCANNO_BUILD_BENCH=OFF
    -DPCANNO_BUILD_VIEWER=OFF)
run("build ${TARGET}" ${CMAKE_COMMAND} --build "${WORK_DIR}" --target ${TARGET})
# LongTrackSynthetic measures tracking on a written 200-frame sequence (820 MB, a minute or more at
# full speed): a figure's regression test whose code paths Propagation.* already runs here.
run("run ${TARGET} under ASan+UBSan" "${WORK_DIR}/tests/${TARGET}" --gtest_brief=1
    --gtest_filter=-LongTrackSynthetic.*)
