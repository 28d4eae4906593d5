
# labels: filled in with the bindings of src/labels.cpp
