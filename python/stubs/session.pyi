
# session: filled in with the bindings of src/session.cpp
