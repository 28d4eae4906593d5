// An ordinary shared library, without pcanno_plugin_entry: not a pcanno plugin.
extern "C" __attribute__((visibility("default"))) int pcanno_test_not_a_plugin(void) { return 42; }
