
# geometry: filled in with the bindings of src/geometry.cpp
