# Installs the build tree into a temporary prefix, then configures, builds and runs tests/install/consumer
# against it, the way a host application would use pcanno. The example plugin is built against the same
# prefix, as a third party would build a plugin, and the consumer loads it.
foreach(var BUILD_DIR CONSUMER_SOURCE PLUGIN_SOURCE WORK_DIR GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake needs -D${var}=...")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${step}: ok")
endfunction()

run("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run("configure consumer" ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run("build consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("configure plugin" ${CMAKE_COMMAND} -S "${PLUGIN_SOURCE}" -B "${WORK_DIR}/plugin" -G "${GENERATOR}"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run("build plugin" ${CMAKE_COMMAND} --build "${WORK_DIR}/plugin")
run("run consumer" "${WORK_DIR}/build/consumer" "${WORK_DIR}/plugin/plugins/pcanno_csv_exporter.so")
run("run C consumer" "${WORK_DIR}/build/c_consumer")
