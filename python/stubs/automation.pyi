
# automation: filled in with the bindings of src/automation.cpp
