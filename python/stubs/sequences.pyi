
# sequences: filled in with the bindings of src/sequences.cpp
